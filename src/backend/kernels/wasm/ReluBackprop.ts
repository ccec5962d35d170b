import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, simdKernelsFor } from '../simd/simdKernels.js';

/**
 * Kernel name of the fused ReLU gradient `dy · step(x)` (wasm/relu_backprop.c). It exists on the wasm
 * backend only; the `Relu` gradient uses it there (see gradients/Relu_grad.ts), and its own gradient is
 * registered in gradients/ReluBackprop_grad.ts.
 */
export const ReluBackprop = 'SgdFactorsReluBackprop';

/**
 * The wasm kernel: one SIMD pass instead of tfjs's `Step`, `Cast` and `Multiply`, bitwise equal to them
 * (NaN and ±∞ in dy propagate, zeros keep their sign).
 */
export const reluBackpropConfig: tf.KernelConfig = {
  kernelName: ReluBackprop,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend: b }) => {
    const backend = b as BackendWasm;
    const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
    if (dy.dtype !== 'float32' || x.dtype !== 'float32')
      throw new Error(`${ReluBackprop}: dy and x must be float32, got ${dy.dtype} and ${x.dtype}`);
    if (!tf.util.arraysEqual(dy.shape, x.shape))
      throw new Error(`${ReluBackprop}: dy [${dy.shape}] and x [${x.shape}] must have the same shape`);
    const simd = simdKernelsFor(backend);
    if (simd === undefined) throw new Error(`${ReluBackprop}: the wasm SIMD kernels are not available`);
    const out = backend.makeOutput([...x.shape], 'float32');
    const offset = (t: tf.TensorInfo) => heapOffset(backend, t, ReluBackprop);
    simd.relu_backprop(offset(dy), offset(x), offset(out), tf.util.sizeFromShape(x.shape));
    return out;
  },
};

/** Whether {@link ReluBackprop} can run on the active backend now. */
export function reluBackpropAvailable(): boolean {
  if (tf.getBackend() !== 'wasm' || tf.getKernel(ReluBackprop, 'wasm') === undefined) return false;
  return simdKernelsFor(tf.backend() as BackendWasm) !== undefined;
}
