import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs-core';
import { sumMiddleAxes } from './Sum.js';

/**
 * `Mean` for the wasm backend: over a contiguous block of axes that is not the innermost (batch norm's
 * per-channel statistics, `tf.moments` over N, H, W), the blocked SIMD sum of {@link sumMiddleAxes}
 * divided by the count; every other case goes to tfjs's kernel.
 *
 * @remarks
 * tfjs's wasm `Mean` keeps one running float32 sum: over 32,768 values its relative error was 7.7e-6
 * against 7.4e-7 for the blocked sum, and batch norm's normalization amplifies an error in the mean by
 * |mean|/sd, which made training-mode Hessian–vector products (whose second backward pass goes through
 * `tf.moments`, not the fused kernel) only ~1e-3 accurate. The gradient is tfjs's own for `Mean`
 * (dy/count broadcast), exact to any order.
 *
 * @param original - tfjs's wasm `Mean` kernel.
 */
export function meanConfig(original: tf.KernelConfig | undefined): tf.KernelConfig {
  return {
    kernelName: 'Mean',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as tf.MeanAttrs;
      const backend = args.backend as BackendWasm;
      const sum = sumMiddleAxes(backend, x, axis, keepDims);
      if (sum !== undefined) {
        const values = backend.typedArrayFromHeap(sum.out) as Float32Array;
        for (let i = 0; i < values.length; i++) values[i] = values[i]! / sum.count;
        return sum.out;
      }
      if (!original) throw new Error('Mean (wasm): tfjs kernel missing');
      return original.kernelFunc(args);
    },
  };
}
