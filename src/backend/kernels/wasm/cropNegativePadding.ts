import type * as tf from '@tensorflow/tfjs-core';
import type { WasmKernelScope } from './WasmKernelScope.js';

/** Padding of one spatial axis: rows (or columns) added before and after; negative means cut off. */
export type AxisPadding = readonly [before: number, after: number];

/** An NHWC tensor and the non-negative explicit padding a convolution should add to it. */
export interface PaddedInput {
  /** The input, with the negative parts of the padding already cut off. */
  x: tf.TensorInfo;
  /** tfjs explicit padding `[[0, 0], [top, bottom], [left, right], [0, 0]]`, all entries ≥ 0. */
  pad: [[number, number], [number, number], [number, number], [number, number]];
}

/**
 * Splits a signed padding of an NHWC tensor into a crop (for the negative parts, done here with one
 * Slice) and a non-negative explicit padding (left to the convolution, which pads for free).
 *
 * @remarks The gradient convolutions need padding that can be negative when the forward convolution
 * skipped trailing rows ('valid' with a stride that does not divide the input) or padded more than the
 * filter reaches (explicit padding).
 */
export function cropNegativePadding(
  scope: WasmKernelScope,
  x: tf.TensorInfo,
  rows: AxisPadding,
  cols: AxisPadding,
): PaddedInput {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const cropTop = Math.max(0, -rows[0]);
  const cropBottom = Math.max(0, -rows[1]);
  const cropLeft = Math.max(0, -cols[0]);
  const cropRight = Math.max(0, -cols[1]);
  let cropped = x;
  if (cropTop + cropBottom + cropLeft + cropRight > 0) {
    const size = [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c];
    if (size[1]! <= 0 || size[2]! <= 0) {
      throw new Error(
        `cropNegativePadding: cropping [${rows}]x[${cols}] leaves nothing of shape [${x.shape}]`,
      );
    }
    cropped = scope.run('Slice', { x }, { begin: [0, cropTop, cropLeft, 0], size });
  }
  return {
    x: cropped,
    pad: [
      [0, 0],
      [Math.max(0, rows[0]), Math.max(0, rows[1])],
      [Math.max(0, cols[0]), Math.max(0, cols[1])],
      [0, 0],
    ],
  };
}
