import * as tf from '@tensorflow/tfjs-core';
import { loadOnednnAddon } from './onednn/onednnAddon.js';
import { configureOnednnKernels, onednnKernelConfigs } from './onednn/onednnKernels.js';
import { onednnThreads } from './onednn/onednnThreads.js';
import { registerWasmKernels } from './registerWasmKernels.js';

/** Whether the oneDNN convolutions run on the wasm backend, and with how many threads, or why not. */
export type OnednnStatus =
  | { active: true; library: string; threads: number }
  | { active: false; why: string };

let ours: tf.KernelConfig[] | undefined;

function fallback(kernelName: string): tf.KernelConfig {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config === undefined)
    throw new Error(`registerOnednnKernels: no wasm '${kernelName}' kernel to fall back to`);
  return config;
}

/**
 * Registers, for the wasm backend, oneDNN implementations of `Conv2D`, `FusedConv2D` (bias, ReLU),
 * `Conv2DBackpropInput` and `Conv2DBackpropFilter` from the optional native addon (`npm run build:native`),
 * working in place on the wasm heap. The wasm kernels they replace stay registered underneath as the
 * fallback (NCHW, other activations, geometries oneDNN does not implement). Idempotent; also registers
 * the wasm kernels ({@link registerWasmKernels}).
 *
 * @remarks Never fails for a missing addon: the result says why it is not active (not built, oneDNN
 * missing or of another major version, `SGD_FACTORS_ONEDNN=0`), and the wasm kernels keep running.
 * Called by `initBackend`, which passes its `threads` option.
 *
 * @param threads - oneDNN's threads; default `SGD_FACTORS_THREADS` or all cores on the main thread, 1 in
 *   worker threads.
 * @throws RangeError when `threads` or `SGD_FACTORS_THREADS` is not a positive integer.
 */
export function registerOnednnKernels(threads?: number): OnednnStatus {
  const count = onednnThreads(threads);
  registerWasmKernels();
  const load = loadOnednnAddon();
  if (!load.ok) return { active: false, why: load.why };
  // The fallbacks are taken once, while the registered kernels are still tfjs's and this library's wasm ones.
  ours ??= onednnKernelConfigs({
    conv2D: fallback(tf.Conv2D),
    fusedConv2D: fallback(tf.FusedConv2D),
    conv2DBackpropInput: fallback(tf.Conv2DBackpropInput),
    conv2DBackpropFilter: fallback(tf.Conv2DBackpropFilter),
  });
  configureOnednnKernels(load.addon, count);
  for (const config of ours) {
    if (tf.getKernel(config.kernelName, 'wasm') === config) continue;
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  return { active: true, library: load.description, threads: count };
}
