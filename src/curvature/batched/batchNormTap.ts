import * as tf from '@tensorflow/tfjs-core';
import type { KerasBatchNormalization } from '../../models/batchNormalization.js';
import { requiredWeight, trainableRoles } from '../../models/layerWeights.js';
import type { LayerTap } from './layerTap.js';

/**
 * The {@link LayerTap} of a {@link KerasBatchNormalization} layer in inference mode,
 * y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε) from the moving statistics: example i's gradients are the
 * per-channel sums Σₚ δᵢ,ₚ·x̂ᵢ,ₚ (γ) and Σₚ δᵢ,ₚ (β) over its positions.
 *
 * @remarks
 * Training-mode batch normalization normalizes with the batch's statistics, so every example's output
 * depends on every other example and there is no per-example gradient to compute: the batched pass runs
 * in inference mode only (its callers refuse a `'train'` objective).
 *
 * @param layer - a built KerasBatchNormalization layer (channels last).
 * @param indexOf - the index of a variable among the objective's variables.
 */
export function batchNormTap(layer: KerasBatchNormalization, indexOf: (v: tf.Variable) => number): LayerTap {
  const mean = requiredWeight(layer, 'moving_mean');
  const variance = requiredWeight(layer, 'moving_variance');
  const original = layer.call.bind(layer);
  const outShape = layer.outputShape as (number | null)[];
  const channels = mean.shape[0]!;
  const normalized = (x: tf.Tensor) =>
    tf.mul(tf.sub(x, mean.read()), tf.rsqrt(tf.add(variance.read(), layer.epsilon)));
  // Per-example per-channel sums over the positions: [B, C].
  const channelSums = (t: tf.Tensor) => tf.sum(tf.reshape(t, [t.shape[0]!, -1, channels]), 1) as tf.Tensor2D;
  const gradients = (x: tf.Tensor, delta: tf.Tensor) => ({
    gamma: channelSums(tf.mul(delta, normalized(x))),
    beta: channelSums(delta),
  });
  const weights = trainableRoles(layer, ['gamma', 'beta'], indexOf);
  return {
    layer,
    weights,
    outputShape: outShape.slice(1).map((d) => d ?? -1),
    preActivation(x) {
      return original(x, { training: false });
    },
    activation: (z) => z,
    squaredNormsAndSum(x, delta) {
      const g = gradients(x, delta);
      const norms = Object.fromEntries(
        weights.map(({ role }) => [role, tf.sum(tf.square(g[role as 'gamma' | 'beta']), 1)]),
      );
      return { norms, sum: { gamma: tf.sum(g.gamma, 0), beta: tf.sum(g.beta, 0) } };
    },
    perExample(x, delta) {
      return gradients(x, delta);
    },
    weightedSum(x, delta, w) {
      const g = gradients(x, delta);
      const column = tf.reshape(w, [-1, 1]);
      return { gamma: tf.sum(tf.mul(g.gamma, column), 0), beta: tf.sum(tf.mul(g.beta, column), 0) };
    },
    directional(x, delta, v) {
      const g = gradients(x, delta);
      let out = tf.zeros([x.shape[0]!]) as tf.Tensor1D;
      if (v.gamma) out = tf.add(out, tf.sum(tf.mul(g.gamma, v.gamma), 1));
      if (v.beta) out = tf.add(out, tf.sum(tf.mul(g.beta, v.beta), 1));
      return out;
    },
  };
}
