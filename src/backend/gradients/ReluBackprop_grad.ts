import * as tf from '@tensorflow/tfjs-core';
import { ReluBackprop } from '../kernels/wasm/ReluBackprop.js';

/**
 * Gradient of the fused ReLU gradient `dy · step(x)`: linear in dy (the same kernel applied to the
 * incoming gradient) and piecewise constant in x (zero almost everywhere) — what autodiff gives for
 * tfjs's `mul(dy, cast(step(x)))`, so Hessian-vector products through it stay exact.
 */
export const reluBackpropGradConfig: tf.GradConfig = {
  kernelName: ReluBackprop,
  inputsToSave: ['x'],
  gradFunc: (ddx, saved) => {
    const [x] = saved as [tf.Tensor];
    return {
      dy: () => tf.engine().runKernel(ReluBackprop, { dy: ddx as tf.Tensor, x }) as tf.Tensor,
      x: () => tf.zerosLike(x),
    };
  },
};
