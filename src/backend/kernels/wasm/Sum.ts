import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, simdKernelsFor } from '../simd/simdKernels.js';

/**
 * The float32 sum of x over `axis` by the SIMD kernel (wasm/sum_middle_axes.c), with the number of values
 * summed into each output; undefined where that kernel does not apply (axes not one contiguous block,
 * innermost reductions, empty tensors, other dtypes, no SIMD), which the caller hands to tfjs's kernel.
 */
export function sumMiddleAxes(
  backend: BackendWasm,
  x: tf.TensorInfo,
  axis: number | number[],
  keepDims: boolean,
): { out: tf.TensorInfo; count: number } | undefined {
  if (x.dtype !== 'float32') return undefined;
  const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
  const first = axes[0];
  const last = axes[axes.length - 1];
  if (first === undefined || last === undefined || last - first + 1 !== axes.length) return undefined;
  const outer = tf.util.sizeFromShape(x.shape.slice(0, first));
  const rows = tf.util.sizeFromShape(x.shape.slice(first, last + 1));
  const cols = tf.util.sizeFromShape(x.shape.slice(last + 1));
  // Innermost reductions need no transpose in tfjs's kernel; empty tensors have nothing to stream.
  if (cols <= 1 || rows === 0 || outer === 0) return undefined;
  const simd = simdKernelsFor(backend);
  if (simd === undefined) return undefined;
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
  return { out, count: rows };
}

/**
 * `Sum` for the wasm backend: float32 sums over a contiguous block of axes that is not the innermost
 * (the bias gradient's sum over N, H, W of an NHWC tensor, the channel statistics of batch norm) stream
 * the tensor once through this library's SIMD kernel ({@link sumMiddleAxes}); every other case goes to
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
      const sum = sumMiddleAxes(args.backend as BackendWasm, x, axis, keepDims);
      if (sum !== undefined) return sum.out;
      if (!original) throw new Error('Sum (wasm): tfjs kernel missing');
      return original.kernelFunc(args);
    },
  };
}
