import * as tf from '@tensorflow/tfjs-core';
import { accumulateTensors } from './parameterVector.js';
import {
  dotTensors,
  type ExampleRange,
  explainingOutOfMemory,
  type TrainingObjective,
} from './trainingObjective.js';

// Gradients of individual examples' losses ℓᵢ, and of weighted sums of them, over a TrainingObjective.
// All of them evaluate batch normalization in inference mode: a per-example gradient is only defined when
// each example's loss depends on that example alone, and a batch of one has no batch statistics to use.

/**
 * Σᵢ wᵢ·∇ℓᵢ over all n examples (data loss only, inference mode), as one weighted backward pass per chunk.
 *
 * @param objective - the objective whose examples and loss are used.
 * @param weights - one weight per example (length n).
 * @returns the weighted sum of per-example gradients, flat float64.
 */
export async function weightedGradientSum(
  objective: TrainingObjective,
  weights: Float64Array,
): Promise<Float64Array> {
  if (weights.length !== objective.n) {
    throw new RangeError(`weightedGradientSum: ${weights.length} weights for ${objective.n} examples`);
  }
  const out = new Float64Array(objective.dim);
  for (const range of objective.chunks) {
    const [start, end] = range;
    const grads = tf.tidy(() => {
      const { images, labels } = objective.slice(range);
      const w = tf.tensor1d(Float32Array.from(weights.subarray(start, end)));
      return objective.gradients(
        () => tf.sum(tf.mul(w, objective.batchLosses(images, labels, false))) as tf.Scalar,
      ).grads;
    });
    try {
      await accumulateTensors(out, grads);
    } finally {
      tf.dispose(grads);
    }
  }
  return out;
}

/**
 * The directional derivatives aᵢ = ∇ℓᵢ · v of every example's loss along v (inference mode), without
 * forming per-example gradients: per chunk, aᵢ = ∂/∂wᵢ [∇θ(Σⱼ wⱼℓⱼ) · v], a double backward pass in
 * which w is a dummy weight vector (the expression is linear in w, so its value does not matter).
 *
 * @param objective - the objective whose examples and loss are used.
 * @param vs - the direction, one tensor per trainable weight.
 * @returns n derivatives, float64.
 */
export async function directionalDerivatives(
  objective: TrainingObjective,
  vs: readonly tf.Tensor[],
): Promise<Float64Array> {
  const out = new Float64Array(objective.n);
  for (const range of objective.chunks) {
    const [start, end] = range;
    const a = explainingOutOfMemory(objective, 'directionalDerivatives', () =>
      tf.tidy(() => {
        const { images, labels } = objective.slice(range);
        const w = tf.ones([end - start]);
        return tf.grad((weights: tf.Tensor) => {
          const { grads } = objective.gradients(
            () => tf.sum(tf.mul(weights, objective.batchLosses(images, labels, false))) as tf.Scalar,
          );
          return dotTensors(grads, vs);
        })(w);
      }),
    );
    try {
      out.set((await a.data()) as Float32Array, start);
    } finally {
      a.dispose();
    }
  }
  return out;
}

/**
 * The mean gradient over the given examples (repeats count as often as they appear), inference mode:
 * (1/m)·Σ_{i∈B} ∇ℓᵢ, plus ∇R when `withRegularization` — a mini-batch gradient.
 *
 * @param objective - the objective whose examples and loss are used.
 * @param indices - the m example indices of the batch.
 * @param withRegularization - add the gradient of the regularization penalty.
 */
export async function batchGradient(
  objective: TrainingObjective,
  indices: Int32Array,
  withRegularization: boolean,
): Promise<Float64Array> {
  const m = indices.length;
  if (m === 0) throw new RangeError('batchGradient: indices is empty');
  const out = new Float64Array(objective.dim);
  for (let start = 0; start < m; start += objective.batchSize) {
    const part = indices.subarray(start, Math.min(start + objective.batchSize, m));
    const withPenalty = withRegularization && start === 0;
    const grads = tf.tidy(() => {
      const { images, labels } = objective.gather(part);
      return objective.gradients(() => {
        const data = tf.div(tf.sum(objective.batchLosses(images, labels, false)), m) as tf.Scalar;
        return withPenalty ? (tf.add(data, objective.regularization()) as tf.Scalar) : data;
      }).grads;
    });
    try {
      await accumulateTensors(out, grads);
    } finally {
      tf.dispose(grads);
    }
  }
  return out;
}

/**
 * Calls `visit(i, ∇ℓᵢ)` for every example in order, each gradient from its own batch-of-one backward pass
 * (inference mode, data loss only). The array passed to `visit` is reused: copy it to keep it.
 *
 * @param objective - the objective whose examples and loss are used.
 * @param visit - receives the example index and its gradient (flat float64).
 * @param onExample - called after each example with the number done (for progress).
 */
export async function forEachExampleGradient(
  objective: TrainingObjective,
  visit: (index: number, gradient: Float64Array) => void,
  onExample?: (done: number) => void,
): Promise<void> {
  const g = new Float64Array(objective.dim);
  for (let i = 0; i < objective.n; i++) {
    const range: ExampleRange = [i, i + 1];
    const grads = tf.tidy(() => {
      const { images, labels } = objective.slice(range);
      return objective.gradients(() => tf.sum(objective.batchLosses(images, labels, false)) as tf.Scalar)
        .grads;
    });
    try {
      g.fill(0);
      await accumulateTensors(g, grads);
    } finally {
      tf.dispose(grads);
    }
    visit(i, g);
    onExample?.(i + 1);
  }
}
