import { statSync, type Stats } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, EngineError, isInputError } from '../engine/errors.js';
import { EXIT_CONFIG } from './exit-codes.js';
import { BUILTIN_CONFIGS, isBuiltinConfig, type BuiltinConfig } from '../convert/builtin-configs.js';
import { convertCheckpoint } from '../convert/convert-checkpoint.js';
import { ConvertError } from '../convert/convert-error.js';
import { findPython } from '../convert/python-finder.js';
import { runConverter, type GeneratorPrecision } from '../convert/run-converter.js';
import { makeStaging, publish, removeStaging, type Staging } from '../convert/staging-folder.js';
import { validateModelFolder } from '../convert/validate-model.js';

export const CONVERT_USAGE = `Usage: marionette convert --checkpoint <file.pth.tar> --config <name|file.yaml> --out <models/name>
                          [--precision fp32|mixed|fp16] [--upsample-interleave stack|depth-to-space]
                          [--no-winograd] [--plain]

Turns an official First Order Motion Model checkpoint into a Marionette model folder
(kp_detector.onnx, generator.onnx, manifest.json). The built-in configs convert in
Marionette itself, without Python. A YAML config is read by the Python converter, which
needs Python 3 with PyTorch, ONNX and PyYAML (Debian: apt-get install python3-torch
python3-onnx python3-yaml); set MARIONETTE_PYTHON to choose the Python.

  --checkpoint <file>   the official checkpoint, e.g. vox-cpk.pth.tar
  --config <config>     ${BUILTIN_CONFIGS.join(', ')}, or the path of an official YAML config
  --out <folder>        the model folder to write; its name becomes the model's name
  --precision <p>       the generator's precision: fp32 (default); mixed, float16 for its
                        encoder, decoder (and residual blocks with --no-winograd) with
                        float32 inputs, outputs and motion estimation, for GPUs; fp16,
                        float16 throughout, inputs and outputs too (the least exact)
  --fp16                the same as --precision fp16
  --upsample-interleave <how>
                        how the up-sampling blocks interleave their four phases: stack
                        (default, the fastest on the CPU) or depth-to-space (one DepthToSpace
                        op: fewer layout transposes on the WebGPU provider); same outputs
  --no-winograd         compute the generator's residual blocks by direct 3x3 convolutions
                        rather than Winograd F(4x4, 3x3) (slower; outputs closer to
                        PyTorch by about 1e-6; an fp16 generator always does)
  --plain               export layer for layer, without the rewrites above and the shared
                        source (slower; for comparisons with PyTorch)
  --help                show this help

Example: marionette convert --checkpoint vox-cpk.pth.tar --config vox --out models/vox
`;

/** The engine's rule for model names (src/engine/model/manifest.ts). */
const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

class UsageError extends Error {}

const PRECISIONS: readonly GeneratorPrecision[] = ['fp32', 'mixed', 'fp16'];
const INTERLEAVES = ['stack', 'depth-to-space'] as const;
type Interleave = (typeof INTERLEAVES)[number];

interface ConvertArgs {
  readonly checkpoint: string;
  readonly config: string;
  readonly out: string;
  readonly precision: GeneratorPrecision;
  readonly upsampleInterleave: Interleave;
  readonly winograd: boolean;
  readonly plain: boolean;
}

/** What a conversion route ends with: a model in the staging folder to check, or an exit code. */
type Converted = 'converted' | { readonly exit: number };

/**
 * `marionette convert`: returns the exit code — 0 done, 2 a bad input (one sentence on stderr), 78 a missing
 * Python for a YAML config (one sentence), 130 interrupted, 1 an internal failure. A built-in config is converted
 * in TypeScript, in this process; a YAML config by the Python converter.
 */
export async function runConvert(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  let args: ConvertArgs | 'help';
  try {
    args = parseConvertArgs(argv);
    if (args === 'help') {
      io.stdout(CONVERT_USAGE);
      return 0;
    }
    checkInputs(args);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  // Ctrl-C or a SIGTERM, until the model is published, stops the converter too (a Python one would otherwise run
  // on, orphaned) or skips publishing, and the staging folder is removed: nothing is written either way.
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.on('SIGINT', stop).on('SIGTERM', stop);
  let staging: Staging | null = null;
  let published = false;
  try {
    staging = stage(args.out);
    const converted = isBuiltinConfig(args.config)
      ? await convertInTypeScript(args, args.config, staging, io, stopping.signal)
      : await convertInPython(args, staging, io, stopping.signal);
    if (converted !== 'converted') return converted.exit;
    const code = await checkAndPublish(args, staging, io, stopping.signal);
    published = code === 0;
    return code;
  } catch (e) {
    return reportFailure(e, io);
  } finally {
    process.off('SIGINT', stop).off('SIGTERM', stop);
    if (staging !== null) removeStaging(staging, published);
  }
}

function interrupted(io: CommandIo): { exit: number } {
  io.stderr('Interrupted; the model was not written.\n');
  return { exit: 130 };
}

/** Progress lines, with the staging folder's path in the converter's last line told as what it is. */
function progressPrinter(io: CommandIo, staging: Staging): (line: string) => void {
  const wrote = `Wrote ${staging.model}: `;
  return (line) => io.stdout(`${line.startsWith(wrote) ? `Converted: ${line.slice(wrote.length)}` : line}\n`);
}

async function convertInTypeScript(args: ConvertArgs, config: BuiltinConfig, staging: Staging, io: CommandIo, signal: AbortSignal): Promise<Converted> {
  io.stdout("Converting with Marionette's own converter (TypeScript; no Python needed for a built-in config)\n");
  try {
    await convertCheckpoint({
      checkpoint: args.checkpoint,
      config,
      out: staging.model,
      precision: args.precision,
      plain: args.plain,
      interleave: args.upsampleInterleave,
      winograd: args.winograd,
      log: progressPrinter(io, staging),
      signal,
    });
  } catch (e) {
    if (signal.aborted) return interrupted(io);
    if (e instanceof ConvertError) {
      io.stderr(`${e.message.split(staging.model).join(args.out)}\n`);
      return { exit: 2 };
    }
    throw e;
  }
  return signal.aborted ? interrupted(io) : 'converted';
}

async function convertInPython(args: ConvertArgs, staging: Staging, io: CommandIo, signal: AbortSignal): Promise<Converted> {
  let python;
  try {
    python = await findPython(io.env === undefined ? {} : { env: io.env });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const reason = e.message.replace(/^The /, 'the ');
    throw new ConfigError(
      `The config ${args.config} is a YAML file, which only the Python converter reads (the built-in configs need no Python); ${reason}`,
      e.context,
    );
  }
  if (signal.aborted) return interrupted(io);
  io.stdout(`Converting with ${python.executable} (${python.versions})\n`);
  const result = await runConverter(python.executable, { ...args, out: staging.model }, progressPrinter(io, staging), io.env ?? process.env, signal);
  if (result.code === 130 || (signal.aborted && result.code !== 0)) return interrupted(io);
  if (result.code === 2) {
    io.stderr(`${lastLine(result.stderr).split(staging.model).join(args.out) || 'The converter rejected its input.'}\n`);
    return { exit: 2 };
  }
  if (result.code !== 0) {
    if (result.stderr.trim() !== '') io.stderr(result.stderr.endsWith('\n') ? result.stderr : `${result.stderr}\n`);
    const how = result.signal !== null ? `was stopped by ${result.signal}` : `exited with code ${result.code}`;
    io.stderr(`The converter ${how}; the model was not written.\n`);
    return { exit: 1 };
  }
  if (result.stderr.trim() !== '') io.stderr(result.stderr);
  return 'converted';
}

/** onnxruntime loads the staged model and runs a frame through it; only then is it published into --out. */
async function checkAndPublish(args: ConvertArgs, staging: Staging, io: CommandIo, signal: AbortSignal): Promise<number> {
  io.stdout('Checking the model with onnxruntime\n');
  let manifest;
  try {
    manifest = await validateModelFolder(staging.model);
  } catch (e) {
    if (e instanceof EngineError) {
      io.stderr(`${e.message} Nothing was written to ${args.out}.\n`);
      return 1;
    }
    throw e;
  }
  if (signal.aborted) return interrupted(io).exit;
  publish(staging, args.out);
  io.stdout(
    `Ready: ${manifest.name} (${manifest.inputSize.width}x${manifest.inputSize.height}, ${manifest.numKeypoints} keypoints, ` +
      `generator ${manifest.precision.generator}) in ${args.out}. Use it with --model ${args.out}\n`,
  );
  return 0;
}

function reportFailure(e: unknown, io: CommandIo): number {
  if (e instanceof UsageError || isInputError(e)) {
    io.stderr(`${e.message}\n`);
    return 2;
  }
  if (e instanceof ConfigError) {
    io.stderr(`${e.message}\n`);
    return EXIT_CONFIG;
  }
  if (e instanceof EngineError) {
    io.stderr(`${e.message}\n`);
    return 1;
  }
  io.stderr(`The conversion failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 1;
}

/** A staging folder beside the output, or a UsageError saying why there cannot be one. */
function stage(out: string): Staging {
  try {
    return makeStaging(out);
  } catch (e) {
    throw new UsageError(`The model cannot be written next to ${out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
}

function parseConvertArgs(argv: readonly string[]): ConvertArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        checkpoint: { type: 'string' },
        config: { type: 'string' },
        out: { type: 'string' },
        precision: { type: 'string' },
        fp16: { type: 'boolean', default: false },
        'upsample-interleave': { type: 'string', default: 'stack' },
        'no-winograd': { type: 'boolean', default: false },
        plain: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (e) {
    throw new UsageError(describeParseError(e));
  }
  if (values.help) return 'help';
  const need = (name: 'checkpoint' | 'config' | 'out', example: string): string => {
    const value = values[name];
    if (value === undefined || value.trim() === '')
      throw new UsageError(`Missing --${name} (for example --${name} ${example}); see marionette convert --help.`);
    return value;
  };
  const interleave = values['upsample-interleave'];
  if (!(INTERLEAVES as readonly string[]).includes(interleave)) {
    throw new UsageError(`--upsample-interleave must be ${INTERLEAVES.join(' or ')}, not "${interleave}".`);
  }
  const precision = values.precision ?? (values.fp16 === true ? 'fp16' : 'fp32');
  if (!(PRECISIONS as readonly string[]).includes(precision)) {
    throw new UsageError(`--precision must be fp32, mixed or fp16, not "${precision}".`);
  }
  if (values.fp16 === true && precision !== 'fp16') throw new UsageError(`--fp16 means --precision fp16; it cannot go with --precision ${precision}.`);
  return {
    checkpoint: need('checkpoint', 'vox-cpk.pth.tar'),
    config: need('config', 'vox'),
    out: need('out', 'models/vox'),
    precision: precision as GeneratorPrecision,
    upsampleInterleave: interleave as Interleave,
    winograd: values['no-winograd'] !== true,
    plain: values.plain === true,
  };
}

/** The checks that need no Python, so common mistakes are reported at once. */
function checkInputs(args: ConvertArgs): void {
  const checkpoint = statOrNull(args.checkpoint);
  if (checkpoint === null) throw new UsageError(`The checkpoint ${args.checkpoint} does not exist.`);
  if (checkpoint.isDirectory()) throw new UsageError(`The checkpoint ${args.checkpoint} is a folder, not a .pth.tar file.`);
  if (!isBuiltinConfig(args.config)) {
    const config = statOrNull(args.config);
    if (config === null) {
      const looksLikePath = /[\\/]|\.ya?ml$/i.test(args.config);
      throw new UsageError(
        looksLikePath
          ? `The config file ${args.config} does not exist.`
          : `Unknown config "${args.config}"; use one of ${BUILTIN_CONFIGS.join(', ')} or the path of an official YAML file.`,
      );
    }
    if (config.isDirectory()) throw new UsageError(`The config ${args.config} is a folder; pass a YAML file or one of ${BUILTIN_CONFIGS.join(', ')}.`);
  }
  const folder = basename(resolve(args.out));
  if (!MODEL_NAME.test(folder.toLowerCase())) {
    throw new UsageError(
      `The output folder's name "${folder}" cannot name a model; use letters, digits, ".", "_" or "-" (at most 64, starting with a letter or digit).`,
    );
  }
  const out = statOrNull(args.out);
  if (out !== null && !out.isDirectory()) throw new UsageError(`The output ${args.out} exists and is not a folder.`);
}

function describeParseError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const message = e instanceof Error ? e.message : String(e);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown option ${option ?? ''}; see marionette convert --help.`.replace(' ;', ';');
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option !== undefined && message.includes('argument missing')
        ? `The option ${option} needs a value; see marionette convert --help.`
        : `${message.replace(/\.$/, '')}; see marionette convert --help.`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `Unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ''}; every input is named (--checkpoint, --config, --out); see marionette convert --help.`;
    default:
      return `${message.replace(/\.$/, '')}; see marionette convert --help.`;
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines[lines.length - 1] ?? '';
}
