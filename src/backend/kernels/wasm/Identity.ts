import * as tf from '@tensorflow/tfjs-core';

/** The part of tfjs's wasm backend this kernel uses (reference counting, as its own Reshape does). */
interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

/**
 * `Identity` (what `tf.clone` and every tensor a gradient saves for the backward pass run) for the wasm
 * backend, sharing the input's memory by reference count instead of copying it.
 *
 * @remarks
 * tfjs's wasm `Identity` copies its input, and the engine clones every input it keeps for a backward pass,
 * so each saved activation existed twice on the 4 GiB wasm heap (and the copies cost ≈ 2.5% of a training
 * step). Tensor data is immutable in tfjs — kernels always write to fresh outputs, `Variable.assign` swaps
 * data ids — which is why the cpu backend's `Identity` already shares, and why sharing is safe here.
 * Strings keep tfjs's own kernel.
 *
 * @param original - tfjs's wasm `Identity` kernel, used for string tensors.
 */
export function identityConfig(original: tf.KernelConfig | undefined): tf.KernelConfig {
  return {
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs['x'] as tf.TensorInfo;
      if (x.dtype === 'string') {
        if (!original) throw new Error('Identity (wasm): no kernel for string tensors');
        return original.kernelFunc(args);
      }
      (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  };
}
