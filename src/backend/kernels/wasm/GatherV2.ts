import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

/** Slices at least this long are copied with `TypedArray.set` (a memmove); shorter ones element by element. */
const BULK_COPY_MIN = 16;

/**
 * `GatherV2` for the wasm backend as contiguous slice copies within the heap, for `batchDims` 0 and any
 * axis; other cases go to tfjs's kernel.
 *
 * @remarks
 * tfjs's wasm kernel computes every element's address from stride vectors: gathering a batch of 128
 * CIFAR images (393,216 floats) took 15–25 ms, about 5% of a ResNet-20 training step. Here each gathered
 * slice (one image, for a batch) is a single copy. Indices are checked as tfjs's kernel does, with the
 * same message.
 *
 * @param original - tfjs's wasm `GatherV2` kernel, for `batchDims` > 0 and string or complex tensors.
 */
export function gatherV2Config(original: tf.KernelConfig | undefined): tf.KernelConfig {
  return {
    kernelName: tf.GatherV2,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
      const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
      const backend = args.backend as BackendWasm;
      const simple =
        (batchDims ?? 0) === 0 &&
        (x.dtype === 'float32' || x.dtype === 'int32' || x.dtype === 'bool') &&
        indices.dtype === 'int32';
      if (!simple) {
        if (!original) throw new Error('GatherV2 (wasm): tfjs kernel missing for this case');
        return original.kernelFunc(args);
      }
      const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0]!;
      const dimSize = x.shape[parsedAxis]!;
      const outer = tf.util.sizeFromShape(x.shape.slice(0, parsedAxis));
      const slice = tf.util.sizeFromShape(x.shape.slice(parsedAxis + 1));
      const count = tf.util.sizeFromShape(indices.shape);
      const outShape = [...x.shape.slice(0, parsedAxis), ...indices.shape, ...x.shape.slice(parsedAxis + 1)];
      const idx = backend.typedArrayFromHeap(indices) as Int32Array;
      for (let i = 0; i < count; i++) {
        const k = idx[i]!;
        if (!(k >= 0 && k <= dimSize - 1))
          throw new Error(`GatherV2: the index value ${k} is not in [0, ${dimSize - 1}]`);
      }
      const out = backend.makeOutput(outShape, x.dtype);
      if (tf.util.sizeFromShape(outShape) === 0) return out;
      // Views are taken after makeOutput, which may have grown (and detached) the heap.
      const src = backend.typedArrayFromHeap(x);
      const dst = backend.typedArrayFromHeap(out);
      const indexView = backend.typedArrayFromHeap(indices) as Int32Array;
      let to = 0;
      for (let o = 0; o < outer; o++) {
        const base = o * dimSize;
        for (let i = 0; i < count; i++) {
          const from = (base + indexView[i]!) * slice;
          if (slice >= BULK_COPY_MIN) {
            dst.set(src.subarray(from, from + slice), to);
          } else {
            for (let e = 0; e < slice; e++) dst[to + e] = src[from + e]!;
          }
          to += slice;
        }
      }
      return out;
    },
  };
}
