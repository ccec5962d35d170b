import * as tf from '@tensorflow/tfjs-core';

/** What {@link trainingBatchNorm} returns. */
export interface TrainingBatchNormResult {
  /** The normalized output `γ · (x − μ) / √(σ² + ε) + β`, differentiable in x, γ and β. */
  y: tf.Tensor;
  /** The batch mean μ per channel (the caller disposes it; not differentiable). */
  mean: tf.Tensor1D;
  /** The biased batch variance σ² per channel (the caller disposes it; not differentiable). */
  variance: tf.Tensor1D;
}

/** Sum over every axis but the last (the channel axis). */
function channelAxes(rank: number): number[] {
  return Array.from({ length: rank - 1 }, (_, i) => i);
}

/**
 * Training-mode batch normalization over the last axis with a hand-written first-order gradient: about
 * a third of the full-size passes over the activations that the same function written with
 * `tf.moments`, `sub`, `mul` and `add` costs under autodiff.
 *
 * @remarks
 * Forward: μ and σ² (biased) per channel, then one `FusedBatchNorm` pass. Backward, with x̂ = (x − μ)/s,
 * s = √(σ² + ε) and N elements per channel:
 * `dβ = Σ dy`, `dγ = Σ dy·x̂`, `dx = (γ/s) · (dy − dβ/N − x̂ · dγ/N)`, the exact derivative of the forward
 * map (including its dependence on μ and σ²), computed as x̂ and two `FusedBatchNorm` passes.
 *
 * The gradient is a custom one, so differentiating it again (a Hessian) would lose the terms through
 * the batch statistics: use this only where no outer gradient will differentiate the backward pass —
 * {@link KerasBatchNormalization} does so only while at most one gradient tape is recording.
 *
 * @param x - input of rank ≥ 2, channels last, more than one element per channel for a useful variance.
 * @param gamma - scale γ, shape [C].
 * @param beta - offset β, shape [C].
 * @param epsilon - ε > 0 added to the variance.
 * @returns the output and the batch statistics.
 */
export function trainingBatchNorm(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): TrainingBatchNormResult {
  const channels = x.shape[x.rank - 1] as number;
  if (x.rank < 2) throw new RangeError(`trainingBatchNorm: x must have rank ≥ 2, got shape [${x.shape}]`);
  if (gamma.size !== channels || beta.size !== channels)
    throw new RangeError(
      `trainingBatchNorm: gamma [${gamma.shape}] and beta [${beta.shape}] must have the ${channels} channels of x [${x.shape}]`,
    );
  if (!(epsilon > 0)) throw new RangeError(`trainingBatchNorm: epsilon must be positive, got ${epsilon}`);
  const axes = channelAxes(x.rank);
  const count = x.size / channels;
  let stats: [tf.Tensor1D, tf.Tensor1D] | undefined;
  const op = tf.customGrad((...args: unknown[]) => {
    const [input, g, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const mean = tf.mean(input, axes) as tf.Tensor1D;
    const variance = tf.mean(tf.squaredDifference(input, mean), axes) as tf.Tensor1D;
    stats = [tf.keep(mean), tf.keep(variance)];
    // tfjs-layers disposes the input before the backward pass, so it is saved (a copy) like any kernel input.
    save([input, mean, variance]);
    const value = tf.batchNorm(input, mean, variance, b, g, epsilon);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX, m, v] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
        const xHat = tf.batchNorm(savedX, m, v, undefined, undefined, epsilon);
        const dBeta = tf.sum(dy, axes) as tf.Tensor1D;
        const dGamma = tf.sum(tf.mul(dy, xHat), axes) as tf.Tensor1D;
        const k = tf.mul(g, tf.rsqrt(tf.add(v, epsilon))) as tf.Tensor1D;
        // (γ/s)·dy − [x̂ · (γ/s)·dγ/N + (γ/s)·dβ/N], each bracket a per-channel affine map of one tensor.
        const ones = tf.onesLike(k);
        const zeros = tf.zerosLike(k);
        const correction = tf.batchNorm(
          xHat,
          zeros,
          ones,
          tf.mul(k, tf.div(dBeta, count)) as tf.Tensor1D,
          tf.mul(k, tf.div(dGamma, count)) as tf.Tensor1D,
          0,
        );
        const dx = tf.sub(tf.batchNorm(dy, zeros, ones, undefined, k, 0), correction);
        return [dx, dGamma, dBeta];
      },
    };
  });
  const y = op(x, gamma, beta);
  const [mean, variance] = stats!;
  return { y, mean, variance };
}
