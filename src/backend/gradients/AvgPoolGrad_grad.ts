import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradient of `AvgPoolGrad` (the input gradient of average pooling), which tfjs does not register.
 *
 * @remarks AvgPoolGrad is linear in dy and ignores the values of its `input` (it reads only the shape):
 * dx = Aᵀ·dy where A averages each pooling window with weight 1/(window area) — both the cpu and wasm
 * kernels use the full area even where the window hangs over 'same' padding. The adjoint A·ddx is
 * therefore a 'valid' average pool of ddx zero-padded exactly as the forward pooling was padded (for
 * 'valid' pooling, simply avgPool(ddx)). The gradient with respect to `input` is zero.
 */
export const avgPoolGradGradConfig: tf.GradConfig = {
  kernelName: tf.AvgPoolGrad,
  inputsToSave: ['input'],
  gradFunc: (ddx, saved, attrs) => {
    const [input] = saved as [tf.Tensor4D];
    const { filterSize, strides, pad } = attrs as unknown as tf.AvgPoolGradAttrs;
    return {
      dy: () => {
        const info = tf.backend_util.computePool2DInfo(input.shape, filterSize, strides, 1, pad);
        const { top, bottom, left, right } = info.padInfo;
        const padded =
          top + bottom + left + right === 0
            ? (ddx as tf.Tensor4D)
            : tf.pad(ddx as tf.Tensor4D, [
                [0, 0],
                [top, bottom],
                [left, right],
                [0, 0],
              ]);
        return tf.avgPool(padded, filterSize, strides, 'valid');
      },
      input: () => tf.zerosLike(input),
    };
  },
};
