import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradient of `Tanh` from its input, (1 − tanh²x)·dy, replacing tfjs's, which reads the saved output and
 * so loses second-order terms (see {@link softmaxGradConfig} for why).
 */
export const tanhGradConfig: tf.GradConfig = {
  kernelName: tf.Tanh,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    return { x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(x)))) };
  },
};
