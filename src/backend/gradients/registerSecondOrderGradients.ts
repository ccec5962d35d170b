import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle registers no gradients at all; tfjs-layers' bundle registers tfjs-core's full
// set as a side effect. Importing it here makes gradient registration independent of the caller's imports.
import '@tensorflow/tfjs-layers';

let registered = false;

/**
 * Registers, on every backend, the gradients that tfjs lacks and that a ResNet's double backward pass
 * reaches, after making sure tfjs-core's own gradients are registered. Idempotent.
 *
 * @remarks Called by {@link initBackend}; call it yourself only if you set the backend up by hand.
 */
export function registerSecondOrderGradients(): void {
  if (registered) return;
  if (tf.getGradient('Sum') === undefined) {
    throw new Error(
      'registerSecondOrderGradients: tfjs-core gradients are missing after importing tfjs-layers',
    );
  }
  registered = true;
}
