import * as tf from '@tensorflow/tfjs-core';

/** Keras' `epsilon()`: the clipping bound of its probability losses. */
export const KERAS_EPSILON = 1e-7;

/**
 * Kullback–Leibler divergence per example with Keras semantics (`tf.keras.losses.KLDivergence`): both
 * arguments are clipped to [1e-7, 1], then Σₖ y_true · log(y_true / y_pred) over the class axis.
 *
 * @remarks Expects probabilities (after a softmax). With one-hot labels it equals the cross-entropy
 * −log p_y up to the clipping terms Σ_{k≠y} 1e-7 · log(1e-7 / p_k).
 *
 * @param labels - target distributions [b, k] (one-hot for classification).
 * @param probabilities - predicted probabilities [b, k].
 * @returns the per-example losses [b].
 */
export function kldLoss(labels: tf.Tensor2D, probabilities: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const t = tf.clipByValue(labels, KERAS_EPSILON, 1);
    const p = tf.clipByValue(probabilities, KERAS_EPSILON, 1);
    return tf.sum(tf.mul(t, tf.log(tf.div(t, p))), -1) as tf.Tensor1D;
  });
}
