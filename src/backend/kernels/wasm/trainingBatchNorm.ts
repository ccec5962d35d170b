import * as tf from '@tensorflow/tfjs-core';
import {
  ChannelAffine,
  ChannelGradDx,
  ChannelGradSums,
  ChannelMoments,
  channelKernelsAvailable,
} from './channelKernels.js';
import { channelMean } from './channelMean.js';

/** What {@link trainingBatchNorm} returns. */
export interface TrainingBatchNormResult {
  /** The normalized output `γ · (x − μ) / √(σ² + ε) + β`, differentiable in x, γ and β. */
  y: tf.Tensor;
  /** The batch mean μ per channel (the caller disposes it; not differentiable). */
  mean: tf.Tensor1D;
  /** The biased batch variance σ² per channel (the caller disposes it; not differentiable). */
  variance: tf.Tensor1D;
}

/** x · a + b with a, b per channel (last axis): two broadcast passes, faster on wasm than `FusedBatchNorm`. */
function affine(x: tf.Tensor, a: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor {
  return tf.add(tf.mul(x, a), b);
}

/**
 * Training-mode batch normalization over the last axis with a hand-written first-order gradient: about
 * a third of the full-size passes over the activations that the same function written with
 * `tf.moments`, `sub`, `mul` and `add` costs under autodiff.
 *
 * @remarks
 * On wasm with this library's SIMD kernels (the default), forward and backward are four streaming
 * passes of wasm/batch_norm.c (moments, affine map; both gradient sums, dx). Otherwise, forward: μ and σ²
 * (biased) per channel, each one average pool, then the per-channel affine map x·(γ/s) + (β − μγ/s), s = √(σ² + ε). Backward, with x̂ = (x − μ)/s and N elements per channel:
 * `dβ = Σ dy`, `dγ = Σ dy·x̂`, `dx = (γ/s) · (dy − dβ/N − x̂ · dγ/N)`, the exact derivative of the forward
 * map (including its dependence on μ and σ²).
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
  const count = x.size / channels;
  const rows: [number, number] = [count, channels];
  let stats: [tf.Tensor1D, tf.Tensor1D] | undefined;
  const op = channelKernelsAvailable()
    ? tf.customGrad((...args: unknown[]) => {
        // The same map and gradient in four SIMD passes (wasm/batch_norm.c) instead of about 25 tfjs ones.
        const [input, g, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
        const run = (name: string, inputs: tf.NamedTensorMap) => tf.engine().runKernel(name, inputs);
        const [mean, variance] = run(ChannelMoments, { x: input }) as [tf.Tensor1D, tf.Tensor1D];
        stats = [tf.keep(mean), tf.keep(variance)];
        save([input, mean, variance]);
        const scale = tf.mul(g, tf.rsqrt(tf.add(variance, epsilon))) as tf.Tensor1D;
        const shift = tf.sub(b, tf.mul(mean, scale));
        const value = run(ChannelAffine, { x: input, a: scale, b: shift }) as tf.Tensor;
        return {
          value,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const [savedX, m, v] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
            const rstd = tf.rsqrt(tf.add(v, epsilon)) as tf.Tensor1D;
            const [sumDy, sumDyCentred] = run(ChannelGradSums, { dy, x: savedX, mean: m }) as tf.Tensor1D[];
            const dGamma = tf.mul(sumDyCentred!, rstd);
            const k = tf.mul(g, rstd);
            // dx = k·dy − k·(x̂·dγ + dβ)/N with x̂ = (x − μ)·rstd: a = −k·rstd·dγ/N, b = −k·dβ/N.
            const a = tf.mul(tf.mul(k, rstd), tf.div(dGamma, -count));
            const shiftGrad = tf.mul(k, tf.div(sumDy!, -count));
            const dx = run(ChannelGradDx, { dy, x: savedX, mean: m, k, a, b: shiftGrad }) as tf.Tensor;
            return [dx, dGamma, sumDy!];
          },
        };
      })
    : tf.customGrad((...args: unknown[]) => {
        const [input, g, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
        const mean = channelMean(tf.reshape(input, rows));
        const variance = channelMean(tf.reshape(tf.squaredDifference(input, mean), rows));
        stats = [tf.keep(mean), tf.keep(variance)];
        // tfjs-layers disposes the input before the backward pass, so it is saved (a copy) like any kernel input.
        save([input, mean, variance]);
        const scale = tf.mul(g, tf.rsqrt(tf.add(variance, epsilon))) as tf.Tensor1D;
        const value = affine(input, scale, tf.sub(b, tf.mul(mean, scale)) as tf.Tensor1D);
        return {
          value,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const [savedX, m, v] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
            const rstd = tf.rsqrt(tf.add(v, epsilon)) as tf.Tensor1D;
            const xHat = affine(savedX, rstd, tf.neg(tf.mul(m, rstd)) as tf.Tensor1D);
            const dBetaMean = channelMean(tf.reshape(dy, rows));
            const dGammaMean = channelMean(tf.reshape(tf.mul(dy, xHat), rows));
            const k = tf.mul(g, rstd) as tf.Tensor1D;
            // (γ/s)·dy − [x̂ · (γ/s)·dγ/N + (γ/s)·dβ/N]: the bracket is one per-channel affine map of x̂.
            const correction = affine(
              xHat,
              tf.mul(k, dGammaMean) as tf.Tensor1D,
              tf.mul(k, dBetaMean) as tf.Tensor1D,
            );
            const dx = tf.sub(tf.mul(dy, k), correction);
            return [dx, tf.mul(dGammaMean, count), tf.mul(dBetaMean, count)];
          },
        };
      });
  const y = op(x, gamma, beta);
  const [mean, variance] = stats!;
  return { y, mean, variance };
}
