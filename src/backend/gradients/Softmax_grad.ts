import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradient of `Softmax` from its input, replacing tfjs's, which reads the saved output and so loses the
 * output's dependence on the logits under double backprop.
 *
 * @remarks tfjs saves a kernel's outputs for its gradient as clones recorded on the tape *before* the
 * kernel's own node, and the tape's single forward pass that finds what depends on the variables visits
 * the clone before the softmax that feeds it: the clone counts as a constant. First-order gradients are
 * unaffected, but a Hessian-vector product silently drops every term through the saved output (for a
 * softmax head, most of the curvature). Recomputing y = softmax(logits) from the saved input keeps the
 * dependence; the cost is one extra softmax in the backward pass.
 */
export const softmaxGradConfig: tf.GradConfig = {
  kernelName: tf.Softmax,
  inputsToSave: ['logits'],
  gradFunc: (dy, saved, attrs) => {
    const [logits] = saved as [tf.Tensor];
    const { dim } = attrs as unknown as tf.SoftmaxAttrs;
    return {
      logits: () => {
        const y = tf.softmax(logits, dim);
        const dyTimesY = tf.mul(dy as tf.Tensor, y);
        return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
      },
    };
  },
};
