import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradient of `Conv2DBackpropFilter` (dW as a function of the input x and the output gradient dy), which
 * tfjs does not register: it is what makes a convolution's second derivative, hence an exact
 * Hessian-vector product, computable.
 *
 * @remarks dW[i,j,c,o] = Σ x[n, s·h+i−p, s·w+j−p, c]·dy[n,h,w,o] is bilinear, so for an upstream gradient
 * ddW the two partial derivatives are the other two convolution products with the same geometry:
 * ∂/∂x = conv2DBackpropInput(x.shape, dy, ddW) and ∂/∂dy = conv2d(x, ddW).
 */
export const conv2DBackpropFilterGradConfig: tf.GradConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  inputsToSave: ['x', 'dy'],
  gradFunc: (ddw, saved, attrs) => {
    const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const filter = ddw as tf.Tensor4D;
    return {
      x: () =>
        tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, {
          strides,
          pad,
          dataFormat,
          dimRoundingMode,
          inputShape: x.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      dy: () => tf.conv2d(x, filter, strides, pad, dataFormat, 1, dimRoundingMode),
    };
  },
};
