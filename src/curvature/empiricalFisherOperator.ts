import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Dataset } from '../data/dataset.js';
import { directionalDerivatives, weightedGradientSum } from './exampleGradients.js';
import type { GradientCovarianceOptions } from './gradientCovarianceOperator.js';
import type { LinearOperator } from './linearOperator.js';
import { assertFlatVector, unflattenToTensors } from './parameterVector.js';
import { warnIfSecondOrderDefective } from './secondOrderCheck.js';
import { type TrainingObjective, trainingObjective } from './trainingObjective.js';

/** The empirical Fisher (uncentered second moment of per-example gradients) as a {@link LinearOperator}. */
export interface EmpiricalFisherOperator extends LinearOperator {
  /** The objective (model, data, loss) whose per-example gradients define it. */
  readonly objective: TrainingObjective;
  /** Number of products computed so far. */
  readonly matvecCount: number;
  /** F̂·v for a flat vector v of length `dim`. */
  matvec(v: Float64Array): Promise<Float64Array>;
}

/**
 * The empirical Fisher F̂ = (1/n)·Σᵢ gᵢgᵢᵀ, the uncentered second moment of the per-example gradients
 * gᵢ = ∇θℓ(θ; xᵢ, yᵢ) at the observed labels, as an operator on flat parameter vectors.
 *
 * @remarks
 * The gradient covariance of {@link gradientCovarianceOperator} is its centered version:
 * σ² = F̂ − ḡḡᵀ with ḡ the mean gradient, so the two agree at a stationary point of the data loss and
 * differ by a rank-one term elsewhere. F̂ is not the Fisher information (that is {@link ggnOperator} for
 * softmax outputs, which averages over labels drawn from the model).
 *
 * A product F̂v = (1/n)·Σᵢ aᵢgᵢ with aᵢ = gᵢ·v takes the same two passes as a σ² product: the directional
 * derivatives aᵢ from a double backward pass with dummy per-example weights, then one weighted backward
 * pass. Cost: about three backward passes over the data per product. Batch normalization runs in
 * inference mode and the regularization penalty is left out, as for σ².
 *
 * @param model - a built tfjs-layers model.
 * @param data - the examples.
 * @param options - loss (default 'kld'), outputs, batchSize (default 32).
 */
export function empiricalFisherOperator(
  model: LayersModel,
  data: Dataset,
  options: GradientCovarianceOptions = {},
): EmpiricalFisherOperator {
  const fn = 'empiricalFisherOperator';
  const objective = trainingObjective(
    model,
    data,
    { ...options, bnMode: 'inference', includeRegularization: false },
    fn,
  );
  warnIfSecondOrderDefective(model, objective.loss);
  let matvecCount = 0;
  return {
    dim: objective.dim,
    objective,
    get matvecCount() {
      return matvecCount;
    },
    async matvec(v) {
      assertFlatVector(`${fn}.matvec`, v, objective.dim);
      const vs = unflattenToTensors(v, objective.shapes);
      let a: Float64Array;
      try {
        a = await directionalDerivatives(objective, vs);
      } finally {
        tf.dispose(vs);
      }
      const out = await weightedGradientSum(
        objective,
        a.map((x) => x / objective.n),
      );
      matvecCount++;
      return out;
    },
  };
}
