import type * as tf from '@tensorflow/tfjs-core';
import type { layers } from '@tensorflow/tfjs-layers';

/** A tfjs-layers `Layer.call`. */
export type LayerCall = (
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: Record<string, unknown>,
) => tf.Tensor | tf.Tensor[];

/**
 * Runs `fn` with each layer's `call` replaced by `replacement(layer, original, index)`, restoring the
 * layers' own `call` afterwards on every path: the hook through which a forward pass of a model (its
 * `apply`, which calls each layer's `call`) can capture or alter what individual layers compute.
 *
 * @param targets - the layers whose `call` to replace.
 * @param replacement - builds each layer's replacement from its original (bound) `call`.
 * @param fn - the work to run with the replacements in place.
 */
export function withReplacedLayerCalls<T>(
  targets: readonly layers.Layer[],
  replacement: (layer: layers.Layer, original: LayerCall, index: number) => LayerCall,
  fn: () => T,
): T {
  const hooked = targets as unknown as { call: LayerCall }[];
  // The replacement is an own property of each layer, removed afterwards so `call` is the class's again.
  const ownCalls = hooked.map((layer) => (Object.hasOwn(layer, 'call') ? layer.call : undefined));
  const originals = hooked.map((layer) => layer.call.bind(layer));
  try {
    targets.forEach((layer, i) => {
      hooked[i]!.call = replacement(layer, originals[i]!, i);
    });
    return fn();
  } finally {
    hooked.forEach((layer, i) => {
      const own = ownCalls[i];
      if (own === undefined) delete (layer as { call?: LayerCall }).call;
      else layer.call = own;
    });
  }
}
