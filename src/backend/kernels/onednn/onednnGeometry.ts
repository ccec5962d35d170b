import type * as tf from '@tensorflow/tfjs-core';

/**
 * The addon's geometry array for a forward convolution: [n, h, w, c, o, kh, kw, oh, ow, sh, sw, dh, dw,
 * padTop, padBottom, padLeft, padRight] (the layout of `Geometry` in native/onednn/onednn_conv.cc), or
 * undefined when some dimension is empty (nothing for oneDNN to do; the wasm kernel handles it).
 *
 * @remarks oneDNN derives the output size as ⌊(in − k_eff + padBefore + padAfter) / s⌋ + 1 and requires it
 * to equal the given one. tfjs's output size also depends on its rounding mode, so the trailing padding is
 * recomputed as what the last window needs, (out − 1)·s + k_eff − in − padBefore, raised to 0 when the
 * last rows are skipped (then 0 ≤ −that < s and the floor drops them, as in tfjs).
 */
export function onednnGeometry(info: tf.backend_util.Conv2DInfo): Int32Array | undefined {
  const { batchSize, inHeight, inWidth, inChannels, outChannels, outHeight, outWidth } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const sizes = [batchSize, inHeight, inWidth, inChannels, outChannels, outHeight, outWidth];
  if (sizes.some((d) => d < 1)) return undefined;
  const { top, left } = info.padInfo;
  const trailing = (out: number, stride: number, k: number, dilation: number, size: number, before: number) =>
    Math.max(0, (out - 1) * stride + (k - 1) * dilation + 1 - size - before);
  return Int32Array.of(
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outChannels,
    filterHeight,
    filterWidth,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    top,
    trailing(outHeight, strideHeight, filterHeight, dilationHeight, inHeight, top),
    left,
    trailing(outWidth, strideWidth, filterWidth, dilationWidth, inWidth, left),
  );
}
