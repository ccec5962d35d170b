import * as tf from '@tensorflow/tfjs-core';
import { KERAS_EPSILON } from './kldLoss.js';

/**
 * Cross-entropy (log loss) per example from logits: −Σₖ y_k · log softmax(z)_k, computed with a
 * log-sum-exp, so it is exact even where a softmax would round to 0 or 1.
 *
 * @remarks
 * Written as z − logSumExp(z) rather than `tf.logSoftmax`: tfjs 4.22's logSoftmax gradient reuses its
 * saved output, which silently drops the second-order terms that exact Hessian-vector products need.
 *
 * @param labels - target distributions [b, k] (one-hot for classification).
 * @param logits - unnormalized scores [b, k].
 * @returns the per-example losses [b].
 */
export function crossEntropyFromLogits(labels: tf.Tensor2D, logits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(
    () => tf.neg(tf.sum(tf.mul(labels, tf.sub(logits, tf.logSumExp(logits, -1, true))), -1)) as tf.Tensor1D,
  );
}

/**
 * Cross-entropy (log loss) per example from probabilities, as Keras' `categorical_crossentropy` does
 * without `from_logits`: the predictions are renormalized to sum to 1, clipped to [1e-7, 1 − 1e-7], and
 * −Σₖ y_k · log p_k is returned.
 *
 * @param labels - target distributions [b, k].
 * @param probabilities - predicted probabilities [b, k].
 * @returns the per-example losses [b].
 */
export function crossEntropyFromProbabilities(labels: tf.Tensor2D, probabilities: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const p = tf.clipByValue(
      tf.div(probabilities, tf.sum(probabilities, -1, true)),
      KERAS_EPSILON,
      1 - KERAS_EPSILON,
    );
    return tf.neg(tf.sum(tf.mul(labels, tf.log(p)), -1)) as tf.Tensor1D;
  });
}
