import * as tf from '@tensorflow/tfjs-core';
import { registerSecondOrderGradients } from './gradients/registerSecondOrderGradients.js';
import { registerWasmKernels } from './kernels/registerWasmKernels.js';

/**
 * Puts this library's corrected gradients in force, and, when the active backend is wasm, its wasm
 * kernels (`Conv2DBackpropFilter`, which tfjs's wasm backend lacks, among them). Idempotent and cheap (a
 * few registry look-ups), so every function that differentiates calls it on entry.
 *
 * @remarks
 * {@link initBackend} does the same once; this makes the library equally correct when tfjs was set up by
 * hand (`await tf.setBackend('wasm'); await tf.ready()`), where without it a double backward pass either
 * fails ("gradient function not found for LogicalAnd") or silently drops second-order terms through
 * Softmax, Exp, Tanh and Sigmoid. A backend switched after the call is covered by the next call.
 */
export function ensureSecondOrderGradients(): void {
  registerSecondOrderGradients();
  if (tf.getBackend() === 'wasm') registerWasmKernels();
}
