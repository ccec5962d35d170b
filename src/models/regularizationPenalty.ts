import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * The model's regularization term: the sum of what its weight regularizers add to the loss (for
 * {@link resnetV1}, `weightDecay · Σ ‖kernel‖²` over the convolution kernels), as a scalar tensor.
 *
 * @remarks
 * The training objective of {@link trainSGD} is the mean data loss plus this term; curvature code can add
 * it (its Hessian is 2·weightDecay on the regularized coordinates) or leave it out. Differentiable: call it
 * inside a gradient function to include its gradient. Zero for a model without regularizers.
 *
 * @param model - any tfjs-layers model.
 * @returns a new scalar tensor (the caller disposes it).
 */
export function regularizationPenalty(model: LayersModel): tf.Scalar {
  return tf.tidy(() => {
    const terms = model.calculateLosses();
    return terms.length === 0 ? tf.scalar(0) : (tf.addN(terms) as tf.Scalar);
  });
}
