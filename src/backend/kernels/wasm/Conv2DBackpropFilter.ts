import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { cropNegativePadding } from './cropNegativePadding.js';
import { checkOperand, forwardConvInfo } from './forwardConvInfo.js';
import { WasmKernelScope } from './WasmKernelScope.js';

/**
 * dW = x_sᵀ·dy for a 1×1 filter without padding: a strided slice of x (when the stride is above 1), one
 * transpose of that slice, and one XNNPACK matrix product.
 */
function filterGrad1x1(
  scope: WasmKernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
) {
  const { batchSize, inChannels, outChannels, outHeight, outWidth, strideHeight, strideWidth } = info;
  let xs = x;
  if (strideHeight > 1 || strideWidth > 1 || info.inHeight !== outHeight || info.inWidth !== outWidth) {
    xs = scope.run(
      'StridedSlice',
      { x },
      {
        begin: [0, 0, 0, 0],
        end: [batchSize, strideHeight * (outHeight - 1) + 1, strideWidth * (outWidth - 1) + 1, inChannels],
        strides: [1, strideHeight, strideWidth, 1],
        beginMask: 0,
        endMask: 0,
        ellipsisMask: 0,
        newAxisMask: 0,
        shrinkAxisMask: 0,
      },
    );
  }
  const rows = batchSize * outHeight * outWidth;
  const xsT = scope.run('Transpose', { x: scope.reshape(xs, [rows, inChannels]) }, { perm: [1, 0] });
  // The wasm BatchMatMul uses XNNPACK only for an untransposed batch-1 product, hence the explicit transpose.
  const product = scope.run(
    'BatchMatMul',
    { a: scope.reshape(xsT, [1, inChannels, rows]), b: scope.reshape(dy, [1, rows, outChannels]) },
    { transposeA: false, transposeB: false },
  );
  return scope.reshape(product, [1, 1, inChannels, outChannels]);
}

/**
 * dW as one dilated XNNPACK convolution: dW[i,j,c,o] = Σ_{n,h,w} x[n, s·h+i−p, s·w+j−p, c]·dy[n,h,w,o] is a
 * stride-1 convolution of xᵀ (batch c, channels n) with the filter dyᵀ (taps h,w; dilation s; in-channels
 * n), whose k×k output is the filter gradient. The three transposes are linear-time; the reduction runs in
 * XNNPACK's convolution micro-kernels at about the forward convolution's speed.
 */
function filterGradDilated(
  scope: WasmKernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
) {
  const { inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } =
    info;
  const { top, left } = info.padInfo;
  // Rows of the (virtually) padded input that the gradient reads: from −top to s·(Ho−1)+kh−1−top.
  const rows = [top, strideHeight * (outHeight - 1) + filterHeight - 1 - top - (inHeight - 1)] as const;
  const cols = [left, strideWidth * (outWidth - 1) + filterWidth - 1 - left - (inWidth - 1)] as const;
  const padded = cropNegativePadding(scope, x, rows, cols);
  const xT = scope.run('Transpose', { x: padded.x }, { perm: [3, 1, 2, 0] });
  const dyT = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const grad = scope.run('Conv2D', { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: padded.pad,
    dataFormat: 'NHWC',
    dilations: [strideHeight, strideWidth],
    dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap);
  const [c, kh, kw] = grad.shape;
  if (kh !== filterHeight || kw !== filterWidth || c !== info.inChannels) {
    throw new Error(
      `Conv2DBackpropFilter (wasm): internal shape error, got [${grad.shape}] for filter [${info.filterShape}]`,
    );
  }
  return scope.run('Transpose', { x: grad }, { perm: [1, 2, 0, 3] });
}

function conv2DBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = forwardConvInfo(tf.Conv2DBackpropFilter, x.shape, attrs.filterShape, attrs);
  checkOperand(tf.Conv2DBackpropFilter, 'x', x, info.inShape);
  checkOperand(tf.Conv2DBackpropFilter, 'dy', dy, info.outShape);
  const scope = new WasmKernelScope(args.backend as BackendWasm);
  try {
    const { top, bottom, left, right } = info.padInfo;
    const unpadded1x1 =
      info.filterHeight === 1 &&
      info.filterWidth === 1 &&
      top === 0 &&
      bottom === 0 &&
      left === 0 &&
      right === 0;
    const out = unpadded1x1 ? filterGrad1x1(scope, x, dy, info) : filterGradDilated(scope, x, dy, info);
    return scope.keep(out);
  } finally {
    scope.dispose();
  }
}

/**
 * The wasm backend's missing `Conv2DBackpropFilter` kernel (tfjs issue 8474), built from XNNPACK
 * convolutions and matrix products. NHWC, float32, any stride and padding ('same', 'valid', explicit).
 */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
