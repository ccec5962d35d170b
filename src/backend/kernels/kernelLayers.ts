import type * as tf from '@tensorflow/tfjs-core';

const layers = new WeakMap<tf.KernelConfig, tf.KernelConfig>();

/**
 * Records that `upper` replaces `lower` and falls back to it (the oneDNN kernels over this library's wasm
 * kernels), so that re-registering `lower` does not take `upper` out.
 */
export function markLayeredOver(upper: tf.KernelConfig, lower: tf.KernelConfig): void {
  layers.set(upper, lower);
}

/** Whether `config` is `base`, or a kernel layered over it (directly or through others). */
export function isOrLayersOver(config: tf.KernelConfig | undefined, base: tf.KernelConfig): boolean {
  for (let c = config; c !== undefined; c = layers.get(c)) if (c === base) return true;
  return false;
}
