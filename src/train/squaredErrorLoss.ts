import * as tf from '@tensorflow/tfjs-core';

/**
 * Squared error per example, Σₖ (y_true − y_pred)² over the class axis: the loss whose gradient in the
 * predictions is the difference y_true − y_pred that the paper's section 4 calls "the gradient of the
 * logistic loss".
 *
 * @remarks Expects probabilities (the paper applies it to the softmax output). Summed over classes, not
 * averaged as Keras' `mean_squared_error` is (which would scale it by 1/k).
 *
 * @param labels - targets [b, k] (one-hot for classification).
 * @param probabilities - predicted probabilities [b, k].
 * @returns the per-example losses [b].
 */
export function squaredErrorLoss(labels: tf.Tensor2D, probabilities: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.squaredDifference(labels, probabilities), -1) as tf.Tensor1D);
}
