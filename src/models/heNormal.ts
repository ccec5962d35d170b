import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import type { Rng } from '../util/random.js';

/**
 * Standard deviation of a standard normal truncated to [−2, 2] (Keras divides by it so that the truncated
 * draws have exactly the variance asked for).
 */
const TRUNCATED_STD = 0.8796256610342398;

/**
 * Draws a weight tensor the way Keras' `he_normal` does (TF ≥ 2 / Keras ≥ 2.2.3): a normal distribution
 * truncated at two standard deviations, scaled so that the variance is exactly 2 / fan_in.
 *
 * @remarks
 * The draws come from the given generator only (not from tfjs' random ops), so the same seed gives the
 * same weights on every backend. `fan_in` is the product of all dimensions but the last (kernel height ×
 * width × input channels for a convolution kernel [kh, kw, cin, cout]; the input size for a dense kernel
 * [in, out]), as in Keras.
 *
 * @param shape - the kernel shape; the last dimension is the number of output units.
 * @param rng - the generator to draw from (advanced by the call).
 * @returns the values in row-major order, float32.
 */
export function heNormalValues(shape: readonly number[], rng: Rng): Float32Array {
  if (shape.length < 2)
    throw new RangeError(`heNormalValues: shape needs at least 2 dimensions, got [${shape}]`);
  let size = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d <= 0)
      throw new RangeError(`heNormalValues: shape must be positive integers, got [${shape}]`);
    size *= d;
  }
  const fanIn = size / (shape[shape.length - 1] as number);
  const stddev = Math.sqrt(2 / fanIn) / TRUNCATED_STD;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let z = rng.normal();
    while (z < -2 || z > 2) z = rng.normal();
    out[i] = z * stddev;
  }
  return out;
}

/**
 * Overwrites the kernel of each layer, in order, with {@link heNormalValues} drawn from `rng`: how the
 * registry's models initialize from a seed independently of tfjs' random ops and of the backend.
 *
 * @param caller - named in the error for a layer without a kernel.
 * @param weighted - layers with a `…/kernel` weight, in construction order.
 * @param rng - the generator to draw from (advanced by the call).
 */
export function initializeKernels(
  caller: string,
  weighted: readonly { name: string; weights: LayerVariable[] }[],
  rng: Rng,
): void {
  for (const layer of weighted) {
    const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'));
    if (!kernel) throw new Error(`${caller}: layer '${layer.name}' has no kernel`);
    const shape = kernel.shape as number[];
    const fresh = tf.tensor(heNormalValues(shape, rng), shape, 'float32');
    kernel.write(fresh);
    fresh.dispose();
  }
}
