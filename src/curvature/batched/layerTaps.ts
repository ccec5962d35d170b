import type * as tf from '@tensorflow/tfjs-core';
import { KerasBatchNormalization } from '../../models/batchNormalization.js';
import type { TrainingObjective } from '../trainingObjective.js';
import { batchNormTap } from './batchNormTap.js';
import { conv2dTap } from './conv2dTap.js';
import { denseTap } from './denseTap.js';
import type { LayerTap } from './layerTap.js';

/**
 * The {@link LayerTap}s of every layer of the objective's model with trainable weights, in layer order.
 *
 * @remarks
 * Supported: tfjs-layers `Dense` and `Conv2D` (channels last, no dilation) and this library's
 * {@link KerasBatchNormalization}; layers without trainable weights (activations, pooling, add,
 * flatten, …) need no tap. Each supported layer must be called once per forward pass (no shared layers).
 *
 * @param objective - the objective whose model and variables are used.
 * @param caller - name used in error messages.
 * @throws Error naming the layer when a layer with trainable weights is not supported, or when some
 * trainable variable belongs to no tapped layer.
 */
export function layerTaps(objective: TrainingObjective, caller: string): LayerTap[] {
  const index = new Map<tf.Variable, number>(objective.variables.map((v, i) => [v, i]));
  const indexOf = (v: tf.Variable): number => {
    const i = index.get(v);
    if (i === undefined)
      throw new Error(`${caller}: variable '${v.name}' is not a trainable weight of the model`);
    return i;
  };
  const taps: LayerTap[] = [];
  for (const layer of objective.model.layers) {
    if (layer.trainableWeights.length === 0) continue;
    if (layer.inboundNodes.length > 1) {
      throw new Error(
        `${caller}: layer '${layer.name}' is shared (called ${layer.inboundNodes.length} times)`,
      );
    }
    const kind = layer.getClassName();
    try {
      if (layer instanceof KerasBatchNormalization) taps.push(batchNormTap(layer, indexOf));
      else if (kind === 'Dense') taps.push(denseTap(layer, indexOf));
      else if (kind === 'Conv2D') taps.push(conv2dTap(layer, indexOf));
      else throw new Error(`layer '${layer.name}' of class ${kind} is not supported`);
    } catch (error) {
      throw new Error(`${caller}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }
  const covered = new Set(taps.flatMap((t) => t.weights.map((w) => w.index)));
  const missing = objective.variables.filter((_, i) => !covered.has(i));
  if (missing.length > 0) {
    throw new Error(
      `${caller}: trainable weights outside the supported layers: ${missing.map((v) => v.name).join(', ')}`,
    );
  }
  return taps;
}

/**
 * Why the batched per-example computations cannot run on this objective, or undefined when they can.
 *
 * @param objective - the objective to check.
 */
export function batchedUnsupportedReason(objective: TrainingObjective): string | undefined {
  if (objective.bnMode !== 'inference') {
    return "per-example gradients need bnMode 'inference': in 'train' mode batch statistics couple the examples";
  }
  try {
    layerTaps(objective, 'batched');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
