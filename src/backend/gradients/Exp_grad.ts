import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradient of `Exp` from its input, exp(x)·dy, replacing tfjs's, which reads the saved output and so
 * loses second-order terms (see {@link softmaxGradConfig} for why).
 */
export const expGradConfig: tf.GradConfig = {
  kernelName: tf.Exp,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    return { x: () => tf.mul(dy as tf.Tensor, tf.exp(tf.cast(x, 'float32'))) };
  },
};
