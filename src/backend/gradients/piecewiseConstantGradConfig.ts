import * as tf from '@tensorflow/tfjs-core';

/**
 * A zero gradient for a kernel whose output is piecewise constant in its inputs (comparisons, logical
 * operations): zero almost everywhere, which is the derivative autodiff frameworks use.
 *
 * @remarks tfjs needs a gradient function for every kernel on the path from the variables to the
 * differentiated value even when no gradient flows through it. First-order backprop never meets these
 * kernels, but double backprop does: the gradient of clipByValue (which Keras-style cross-entropy uses)
 * builds its mask with LessEqual and LogicalAnd from the clipped tensor, and the gradient of max (used by
 * logSumExp) builds its mask with Equal, so differentiating those gradients again walks through them.
 *
 * @param kernelName - the kernel, e.g. `LogicalAnd`.
 * @param inputNames - its named inputs, e.g. `['a', 'b']`.
 */
export function piecewiseConstantGradConfig(
  kernelName: string,
  inputNames: readonly string[],
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: [...inputNames],
    gradFunc: (_dy, saved) => {
      const grads: Record<string, () => tf.Tensor> = {};
      inputNames.forEach((name, i) => {
        grads[name] = () => tf.zeros(saved[i]!.shape, 'float32');
      });
      return grads;
    },
  };
}
