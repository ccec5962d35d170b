import * as tf from '@tensorflow/tfjs-core';
import { ChannelAffine, ChannelGradDx, ChannelGradSums, channelKernelsAvailable } from './channelKernels.js';
import { channelMean } from './channelMean.js';

/**
 * Inference-mode batch normalization over the last axis, `y = x·s + (β − μ·s)` with `s = γ/√(σ² + ε)`
 * from the moving statistics μ and σ², with a hand-written first-order gradient in x, γ, β, μ and σ².
 *
 * @remarks
 * On wasm with this library's SIMD kernels (the default): one affine pass forward; backward one pass
 * for both channel sums and one for dx (wasm/batch_norm.c). Otherwise the same two broadcast passes
 * forward as the plain ops; backward, one broadcast multiply for dx and two
 * per-channel sums (`Σ dy`, `Σ dy·x`, each one average pool) for the parameters, where autodiff through
 * `mul` and `add` sums with tfjs's `Sum`, which on wasm transposes the whole tensor first:
 * `dβ = Σ dy`, `dγ = (Σ dy·x − μ Σ dy)/√(σ²+ε)`, `dμ = −s Σ dy`,
 * `dσ² = −½ γ (σ²+ε)^(−3/2) (Σ dy·x − μ Σ dy)`, `dx = s·dy` — the same terms autodiff forms.
 *
 * The gradient is a custom one: differentiating it again (a Hessian) would lose terms, so use this only
 * where no outer gradient will differentiate the backward pass, as {@link trainingBatchNorm}.
 *
 * @param x - input of rank ≥ 2, channels last.
 * @param gamma - scale γ, shape [C].
 * @param beta - offset β, shape [C].
 * @param movingMean - μ, shape [C].
 * @param movingVariance - σ², shape [C].
 * @param epsilon - ε > 0 added to the variance.
 * @returns the normalized tensor.
 */
export function inferenceBatchNorm(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  movingMean: tf.Tensor1D,
  movingVariance: tf.Tensor1D,
  epsilon: number,
): tf.Tensor {
  const channels = x.shape[x.rank - 1] as number;
  if (x.rank < 2) throw new RangeError(`inferenceBatchNorm: x must have rank ≥ 2, got shape [${x.shape}]`);
  for (const [name, t] of [
    ['gamma', gamma],
    ['beta', beta],
    ['movingMean', movingMean],
    ['movingVariance', movingVariance],
  ] as const) {
    if (t.size !== channels)
      throw new RangeError(
        `inferenceBatchNorm: ${name} [${t.shape}] must have the ${channels} channels of x [${x.shape}]`,
      );
  }
  if (!(epsilon > 0)) throw new RangeError(`inferenceBatchNorm: epsilon must be positive, got ${epsilon}`);
  const count = x.size / channels;
  const rows: [number, number] = [count, channels];
  const op = tf.customGrad((...args: unknown[]) => {
    const [input, g, b, m, v, save] = args as [
      tf.Tensor,
      tf.Tensor1D,
      tf.Tensor1D,
      tf.Tensor1D,
      tf.Tensor1D,
      tf.GradSaveFunc,
    ];
    // tfjs-layers may dispose the input before the backward pass, so it is saved (a copy).
    save([input]);
    const simd = channelKernelsAvailable();
    const run = (name: string, inputs: tf.NamedTensorMap) => tf.engine().runKernel(name, inputs);
    const scale = tf.mul(g, tf.rsqrt(tf.add(v, epsilon))) as tf.Tensor1D;
    const shift = tf.sub(b, tf.mul(m, scale));
    // With the SIMD kernels: one pass forward, two backward (both sums, then dx) instead of five.
    const value = simd
      ? (run(ChannelAffine, { x: input, a: scale, b: shift }) as tf.Tensor)
      : tf.add(tf.mul(input, scale), shift);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX] = saved as [tf.Tensor];
        const rstd = tf.rsqrt(tf.add(v, epsilon));
        const s = tf.mul(g, rstd);
        let sumDy: tf.Tensor;
        let centered: tf.Tensor;
        let dx: tf.Tensor;
        if (simd) {
          [sumDy, centered] = run(ChannelGradSums, { dy, x: savedX, mean: m }) as [tf.Tensor, tf.Tensor];
          const zero = tf.zerosLike(s);
          dx = run(ChannelGradDx, { dy, x: savedX, mean: m, k: s, a: zero, b: zero }) as tf.Tensor;
        } else {
          sumDy = tf.mul(channelMean(tf.reshape(dy, rows)), count);
          const sumDyX = tf.mul(channelMean(tf.reshape(tf.mul(dy, savedX), rows)), count);
          centered = tf.sub(sumDyX, tf.mul(m, sumDy));
          dx = tf.mul(dy, s);
        }
        const dGamma = tf.mul(centered, rstd);
        const dMean = tf.neg(tf.mul(s, sumDy));
        const dVariance = tf.mul(tf.mul(centered, g), tf.mul(tf.pow(rstd, 3), -0.5));
        return [dx, dGamma, sumDy, dMean, dVariance];
      },
    };
  });
  return op(x, gamma, beta, movingMean, movingVariance);
}
