import type { LayersModel } from '@tensorflow/tfjs-layers';

/** How many scalar parameters a model has, as Keras' `model.summary()` reports them. */
export interface ParameterCounts {
  /** All weights, trainable or not. */
  total: number;
  /** Weights that gradient descent updates. */
  trainable: number;
  /** Weights it does not (e.g. batch-norm moving statistics). */
  nonTrainable: number;
}

/**
 * Counts the parameters of a model.
 *
 * @param model - any tfjs-layers model.
 * @returns total, trainable and non-trainable counts.
 */
export function parameterCounts(model: LayersModel): ParameterCounts {
  const size = (shape: readonly (number | null)[]): number => shape.reduce<number>((p, d) => p * (d ?? 0), 1);
  const trainable = model.trainableWeights.reduce((s, w) => s + size(w.shape), 0);
  const nonTrainable = model.nonTrainableWeights.reduce((s, w) => s + size(w.shape), 0);
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}
