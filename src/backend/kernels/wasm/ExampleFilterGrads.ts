import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, simdKernelsFor } from '../simd/simdKernels.js';
import { stageFilterGradOperands } from './Conv2DBackpropFilter.js';
import { checkOperand, forwardConvInfo } from './forwardConvInfo.js';
import { WasmKernelScope } from './WasmKernelScope.js';

/**
 * Kernel name of the per-example filter gradients of a convolution (wasm only, no gradient of its own):
 * inputs `x` [n, h, w, c] and `dy` [n, ho, wo, o], attributes as `Conv2DBackpropFilter`'s; output
 * [n, kh, kw, c, o], row i = Σ_{positions} x_i-patch ⊗ dy_i, the filter gradient of example i alone.
 */
export const ExampleFilterGrads = 'SgdFactorsExampleFilterGrads';

/**
 * Whether {@link ExampleFilterGrads} can run now: the active backend is wasm, the kernel is registered
 * and the runtime has this library's SIMD kernels.
 */
export function exampleFilterGradsAvailable(): boolean {
  return (
    tf.getBackend() === 'wasm' &&
    tf.getKernel(ExampleFilterGrads, 'wasm') !== undefined &&
    simdKernelsFor(tf.backend() as BackendWasm) !== undefined
  );
}

/**
 * One call of wasm/conv2d_filter_grad.c per example on the staged operands (the kernel of the whole-batch
 * filter gradient, pointed at one example's rows with n = 1), then one crop of the padded channels.
 */
function exampleFilterGrads(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = forwardConvInfo(ExampleFilterGrads, x.shape, attrs.filterShape, attrs);
  checkOperand(ExampleFilterGrads, 'x', x, info.inShape);
  checkOperand(ExampleFilterGrads, 'dy', dy, info.outShape);
  const scope = new WasmKernelScope(args.backend as BackendWasm);
  try {
    const simd = simdKernelsFor(scope.backend);
    if (simd === undefined) throw new Error(`${ExampleFilterGrads}: the wasm SIMD kernels are not available`);
    const { batchSize: n, inChannels: c, outHeight: ho, outWidth: wo, outChannels: o } = info;
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
    const { xp, dyp, hp, wp, cp, op } = stageFilterGradOperands(scope, simd, x, dy, info, ExampleFilterGrads);
    const offset = (t: tf.TensorInfo) => heapOffset(scope.backend, t, ExampleFilterGrads);
    const out = scope.allocate([n, kh, kw, c, o]);
    const padded = cp === c && op === o ? out : scope.allocate([n, kh, kw, cp, op]);
    const [xBase, dyBase, outBase] = [offset(xp), offset(dyp), offset(padded)];
    for (let i = 0; i < n; i++) {
      simd.conv2d_filter_grad(
        xBase + 4 * i * hp * wp * cp,
        dyBase + 4 * i * ho * wo * op,
        outBase + 4 * i * kh * kw * cp * op,
        1,
        hp,
        wp,
        cp,
        ho,
        wo,
        op,
        kh,
        kw,
        sh,
        sw,
      );
    }
    if (padded !== out) simd.crop_filter(offset(padded), offset(out), n * kh * kw, cp, op, c, o);
    return scope.keep(out);
  } finally {
    scope.dispose();
  }
}

/** The {@link ExampleFilterGrads} kernel of the wasm backend. */
export const exampleFilterGradsConfig: tf.KernelConfig = {
  kernelName: ExampleFilterGrads,
  backendName: 'wasm',
  kernelFunc: exampleFilterGrads as unknown as tf.KernelFunc,
};
