import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradient of `Sigmoid` from its input, σ(x)·(1 − σ(x))·dy, replacing tfjs's, which reads the saved
 * output and so loses second-order terms (see {@link softmaxGradConfig} for why).
 */
export const sigmoidGradConfig: tf.GradConfig = {
  kernelName: tf.Sigmoid,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    return {
      x: () => {
        const y = tf.sigmoid(x);
        return tf.mul(dy as tf.Tensor, tf.mul(y, tf.sub(1, y)));
      },
    };
  },
};
