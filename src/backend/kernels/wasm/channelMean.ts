import * as tf from '@tensorflow/tfjs-core';

/**
 * Per-channel means of a [rows, C] matrix, as one average pool over all rows.
 *
 * @remarks On wasm (XNNPACK pooling, channels innermost) this is about seven times faster than `Mean` or
 * `Sum` over the leading axes, which transpose the whole tensor first (0.6 against 5.3–5.9 ms at
 * 128·32·32 rows × 16 channels), and than a matrix product with a row of ones, which repacks its data
 * operand on every call. It accumulates in float32 like those kernels. Not meant to be differentiated.
 *
 * @param x2d - the matrix, channels last.
 * @returns the C column means.
 */
export function channelMean(x2d: tf.Tensor2D): tf.Tensor1D {
  const [rows, channels] = x2d.shape;
  const image = tf.reshape(x2d, [1, rows, 1, channels]) as tf.Tensor4D;
  return tf.reshape(tf.avgPool(image, [rows, 1], [rows, 1], 'valid'), [channels]);
}
