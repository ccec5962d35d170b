import * as tf from '@tensorflow/tfjs-core';
// Imported for its side effect: tfjs's own wasm kernels must be registered before ours replace some of
// them, whatever the caller imported first.
import '@tensorflow/tfjs-backend-wasm';
import { isOrLayersOver } from './kernelLayers.js';
import { conv2DBackpropFilterConfig } from './wasm/Conv2DBackpropFilter.js';
import { conv2DBackpropInputConfig } from './wasm/Conv2DBackpropInput.js';
import { channelKernelConfigs } from './wasm/channelKernels.js';
import { exampleFilterGradsConfig } from './wasm/ExampleFilterGrads.js';
import { gatherV2Config } from './wasm/GatherV2.js';
import { identityConfig } from './wasm/Identity.js';
import { meanConfig } from './wasm/Mean.js';
import { reluBackpropConfig } from './wasm/ReluBackprop.js';
import { sumConfig } from './wasm/Sum.js';

let ours: tf.KernelConfig[] | undefined;

function install(config: tf.KernelConfig): void {
  // Also leaves a kernel layered over ours in place (the optional oneDNN convolutions).
  if (isOrLayersOver(tf.getKernel(config.kernelName, config.backendName), config)) return;
  if (tf.getKernel(config.kernelName, config.backendName) !== undefined) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/**
 * Registers this library's kernels for the wasm backend. Idempotent.
 *
 * @remarks
 * - `Conv2DBackpropFilter`, which tfjs 4.22's wasm backend lacks (tfjs issue 8474): this library's
 *   WebAssembly SIMD kernel (wasm/conv2d_filter_grad.c, shipped compiled), or where the runtime cannot
 *   run it, a dilated XNNPACK convolution of the transposed input with the transposed output gradient.
 * - `Conv2DBackpropInput`, replacing tfjs's scalar loop (about 10× slower than the forward convolution)
 *   with one XNNPACK convolution, polyphase for strides above 1.
 * - `Identity`, sharing memory by reference count instead of copying, so that the tensors the engine
 *   saves for backward passes do not each occupy the wasm heap twice.
 * - `GatherV2` (batchDims 0) as one copy per gathered slice: tfjs's computes every element's address.
 * - `Sum` over a contiguous block of non-innermost axes (bias gradients) by a SIMD kernel that streams
 *   the tensor once; tfjs's transposes it first.
 * - `Mean` over the same blocks as that blocked sum divided by the count: tfjs's keeps one running
 *   float32 sum, too inaccurate for batch norm's statistics in Hessian–vector products.
 * - Four per-channel batch-norm passes (`SgdFactorsChannel*`, wasm only, no gradients of their own) that
 *   the fused batch norms run inside their custom gradients.
 * - `SgdFactorsReluBackprop`, the ReLU gradient in one pass, used by the `Relu` gradient on wasm.
 * - `SgdFactorsExampleFilterGrads`, every example's own filter gradient (the SIMD filter-gradient kernel
 *   once per example), for the batched per-example gradient norms.
 * Called by {@link initBackend} and, when the active backend is wasm, by every library function that
 * differentiates (through {@link ensureSecondOrderGradients}); call it yourself only for your own
 * gradients on a wasm backend set up by hand.
 */
export function registerWasmKernels(): void {
  if (ours === undefined) {
    const original = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');
    ours = [
      conv2DBackpropFilterConfig,
      conv2DBackpropInputConfig(original),
      identityConfig(tf.getKernel(tf.Identity, 'wasm')),
      gatherV2Config(tf.getKernel(tf.GatherV2, 'wasm')),
      sumConfig(tf.getKernel(tf.Sum, 'wasm')),
      meanConfig(tf.getKernel(tf.Mean, 'wasm')),
      ...channelKernelConfigs,
      reluBackpropConfig,
      exampleFilterGradsConfig,
    ];
  }
  for (const config of ours) install(config);
}
