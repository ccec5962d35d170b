import * as tf from '@tensorflow/tfjs-core';
import { ReluBackprop, reluBackpropAvailable } from '../kernels/wasm/ReluBackprop.js';

/**
 * Gradient of `Relu`: `dy · step(x)`, as one fused SIMD kernel on wasm ({@link ReluBackprop}), else
 * tfjs's own `mul(dy, cast(step(x)))`. Both are exact to any order (the fused kernel has its own
 * gradient), and equal bitwise.
 */
export const reluGradConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    return {
      x: () =>
        reluBackpropAvailable() && x.dtype === 'float32'
          ? (tf.engine().runKernel(ReluBackprop, { dy: dy as tf.Tensor, x }) as tf.Tensor)
          : tf.mul(dy as tf.Tensor, tf.cast(tf.step(x), 'float32')),
    };
  },
};
