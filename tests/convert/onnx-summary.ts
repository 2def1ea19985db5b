/**
 * What a model file says about itself, read straight from its protobuf (onnx.proto's field numbers) without
 * loading the weights: IR version, opset, producer, doc string, metadata, the graph's inputs and outputs, and
 * where the graph's bytes are (to tell two files' networks apart from their metadata).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface OnnxSummary {
  readonly irVersion: number;
  readonly opset: number;
  readonly producer: string;
  readonly doc: string;
  readonly metadata: Record<string, string>;
  /** [name, element type, dims (numbers, or a symbol's name)] of each input, then of each output. */
  readonly inputs: Array<[string, number, Array<number | string>]>;
  readonly outputs: Array<[string, number, Array<number | string>]>;
  /** sha256 of the graph message: the nodes and weights, without the model's metadata. */
  readonly graphHash: string;
}

type Field = { readonly field: number; readonly value: number | Uint8Array };

function* fields(bytes: Uint8Array): Generator<Field> {
  let at = 0;
  const varint = () => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const wire = key % 8;
    const field = Math.floor(key / 8);
    if (wire === 0) yield { field, value: varint() };
    else if (wire === 2) {
      const length = varint();
      yield { field, value: bytes.subarray(at, at + length) };
      at += length;
    } else if (wire === 5) at += 4;
    else if (wire === 1) at += 8;
    else throw new Error(`wire type ${wire} in an ONNX file`);
  }
}

const text = (v: number | Uint8Array) => new TextDecoder().decode(v as Uint8Array);

function valueInfo(bytes: Uint8Array): [string, number, Array<number | string>] {
  let name = '';
  let elemType = 0;
  const dims: Array<number | string> = [];
  for (const f of fields(bytes)) {
    if (f.field === 1) name = text(f.value);
    if (f.field !== 2) continue;
    for (const typeField of fields(f.value as Uint8Array)) {
      if (typeField.field !== 1) continue;
      for (const tensor of fields(typeField.value as Uint8Array)) {
        if (tensor.field === 1) elemType = tensor.value as number;
        if (tensor.field !== 2) continue;
        for (const dim of fields(tensor.value as Uint8Array)) {
          for (const d of fields(dim.value as Uint8Array)) dims.push(d.field === 1 ? (d.value as number) : text(d.value));
        }
      }
    }
  }
  return [name, elemType, dims];
}

export async function onnxSummary(path: string): Promise<OnnxSummary> {
  const bytes = await readFile(path);
  const summary = { irVersion: 0, opset: 0, producer: '', doc: '', metadata: {} as Record<string, string>, graphHash: '' };
  const inputs: OnnxSummary['inputs'] = [];
  const outputs: OnnxSummary['outputs'] = [];
  for (const f of fields(bytes)) {
    switch (f.field) {
      case 1:
        summary.irVersion = f.value as number;
        break;
      case 2:
        summary.producer = text(f.value);
        break;
      case 6:
        summary.doc = text(f.value);
        break;
      case 8:
        for (const o of fields(f.value as Uint8Array)) if (o.field === 2) summary.opset = o.value as number;
        break;
      case 14: {
        const [key, value] = [...fields(f.value as Uint8Array)].map((e) => text(e.value));
        summary.metadata[key!] = value ?? '';
        break;
      }
      case 7:
        summary.graphHash = createHash('sha256')
          .update(f.value as Uint8Array)
          .digest('hex');
        for (const g of fields(f.value as Uint8Array)) {
          if (g.field === 11) inputs.push(valueInfo(g.value as Uint8Array));
          if (g.field === 12) outputs.push(valueInfo(g.value as Uint8Array));
        }
        break;
    }
  }
  return { ...summary, inputs, outputs };
}
