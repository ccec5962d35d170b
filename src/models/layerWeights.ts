import type * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable, layers } from '@tensorflow/tfjs-layers';
import type { WeightRole } from '../curvature/batched/layerTap.js';

type Layer = layers.Layer;

/** A layer's weight by its role (the end of its original name, e.g. `dense/kernel`), if it has one. */
export function weightByRole(layer: Layer, role: WeightRole): LayerVariable | undefined {
  return layer.weights.find((w) => w.originalName.endsWith(`/${role}`));
}

/** A layer's weight by its role; throws, naming the layer, when it has none. */
export function requiredWeight(layer: Layer, role: string): LayerVariable {
  const weight = layer.weights.find((w) => w.originalName.endsWith(`/${role}`));
  if (weight === undefined) throw new Error(`layer '${layer.name}' has no weight '${role}'`);
  return weight;
}

/**
 * The trainable weights of a layer with their role and index among the objective's variables, in
 * the objective's order.
 *
 * @param layer - the layer.
 * @param roles - the roles this kind of layer may have.
 * @param indexOf - the index of a variable among the objective's variables.
 * @throws Error when the layer has a trainable weight outside `roles`.
 */
export function trainableRoles(
  layer: Layer,
  roles: readonly WeightRole[],
  indexOf: (variable: tf.Variable) => number,
): { role: WeightRole; index: number }[] {
  return layer.trainableWeights.map((w) => {
    const role = roles.find((r) => w.originalName.endsWith(`/${r}`));
    if (role === undefined) {
      throw new Error(`layer '${layer.name}' has a trainable weight '${w.originalName}' of unknown role`);
    }
    return { role, index: indexOf(w.read() as tf.Variable) };
  });
}

/** The activation function object tfjs-layers' Dense and Conv layers apply after the linear map. */
export function layerActivation(layer: Layer): (z: tf.Tensor) => tf.Tensor {
  const activation = (layer as unknown as { activation?: { apply(t: tf.Tensor): tf.Tensor } }).activation;
  return activation ? (z) => activation.apply(z) : (z) => z;
}
