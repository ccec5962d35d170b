import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, simdKernelsFor } from '../simd/simdKernels.js';

/**
 * `Sum` for the wasm backend: float32 sums over a contiguous block of axes that is not the innermost
 * (the bias gradient's sum over N, H, W of an NHWC tensor, the channel statistics of batch norm) stream
 * the tensor once through this library's SIMD kernel (wasm/sum_middle_axes.c); every other case goes to
 * tfjs's kernel.
 *
 * @remarks
 * tfjs's wasm `Sum` first transposes the reduced axes innermost (a full strided copy) and then sums:
 * 9% of an HVP's time and 5% of a training step went to it. The SIMD kernel sums in blocks of 64 rows,
 * which is also more accurate than tfjs's single running sum.
 *
 * @param original - tfjs's wasm `Sum` kernel.
 */
export function sumConfig(original: tf.KernelConfig | undefined): tf.KernelConfig {
  return {
    kernelName: tf.Sum,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
      const backend = args.backend as BackendWasm;
      const fallback = () => {
        if (!original) throw new Error('Sum (wasm): tfjs kernel missing');
        return original.kernelFunc(args);
      };
      if (x.dtype !== 'float32') return fallback();
      const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
      const first = axes[0];
      const last = axes[axes.length - 1];
      if (first === undefined || last === undefined || last - first + 1 !== axes.length) return fallback();
      const outer = tf.util.sizeFromShape(x.shape.slice(0, first));
      const rows = tf.util.sizeFromShape(x.shape.slice(first, last + 1));
      const cols = tf.util.sizeFromShape(x.shape.slice(last + 1));
      // Innermost reductions need no transpose in tfjs's kernel; empty tensors have nothing to stream.
      if (cols <= 1 || rows === 0 || outer === 0) return fallback();
      const simd = simdKernelsFor(backend);
      if (simd === undefined) return fallback();
      const kept = x.shape.filter((_, i) => i < first || i > last);
      const outShape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : kept;
      const out = backend.makeOutput(outShape, 'float32');
      const partial = backend.makeOutput([cols], 'float32');
      try {
        simd.sum_middle_axes(
          heapOffset(backend, x, tf.Sum),
          heapOffset(backend, out, tf.Sum),
          heapOffset(backend, partial, tf.Sum),
          outer,
          rows,
          cols,
        );
      } finally {
        backend.disposeData(partial.dataId);
      }
      return out;
    },
  };
}
