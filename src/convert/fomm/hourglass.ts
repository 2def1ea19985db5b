import { attr } from '../../onnx-builder/onnx-types.js';
import { downBlock, upBlock, type Feature, type Layers } from './layers.js';
import { hourglassWidths } from './state-dict-layout.js';

/**
 * FOMM's U-Net (blocks.Hourglass): `numBlocks` down blocks, then as many up blocks, each followed by the matching
 * encoder output concatenated along channels; the result has blockExpansion + input channels.
 */
export function hourglass(l: Layers, x: Feature, name: string, blockExpansion: number, numBlocks: number, maxFeatures: number): Feature {
  const widths = hourglassWidths(blockExpansion, x.c, numBlocks, maxFeatures);
  const skips: Feature[] = [x];
  l.b.within('encoder', () => {
    widths.down.forEach((w, i) => {
      skips.push(l.b.within(`down_blocks.${i}`, () => downBlock(l, skips[skips.length - 1]!, `${name}.encoder.down_blocks.${i}`, w.out)));
    });
  });
  return l.b.within('decoder', () => {
    let out = skips[skips.length - 1]!;
    widths.up.forEach((w, i) => {
      const up = l.b.within(`up_blocks.${i}`, () => upBlock(l, out, `${name}.decoder.up_blocks.${i}`, w.out));
      const skip = skips[skips.length - 2 - i]!;
      out = { ...up, t: l.b.op('Concat', [up.t, skip.t], { axis: attr.int(1) }), c: up.c + skip.c };
    });
    return out;
  });
}
