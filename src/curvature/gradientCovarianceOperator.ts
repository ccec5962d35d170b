import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Dataset } from '../data/dataset.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { directionalDerivatives, weightedGradientSum } from './exampleGradients.js';
import type { LinearOperator } from './linearOperator.js';
import { assertFlatVector, unflattenToTensors } from './parameterVector.js';
import { warnIfSecondOrderDefective } from './secondOrderCheck.js';
import { type ObjectiveOptions, type TrainingObjective, trainingObjective } from './trainingObjective.js';

/** Options for {@link gradientCovarianceOperator}: the data loss and the chunk size. */
export type GradientCovarianceOptions = Pick<ObjectiveOptions, 'loss' | 'outputs' | 'batchSize'>;

const OPTION_KEYS: OptionKeys<GradientCovarianceOptions> = { loss: true, outputs: true, batchSize: true };

/** The gradient covariance σ² over a data set as a {@link LinearOperator}. */
export interface GradientCovarianceOperator extends LinearOperator {
  /** The objective (model, data, loss) whose per-example gradients define σ². */
  readonly objective: TrainingObjective;
  /** Number of products computed so far. */
  readonly matvecCount: number;
  /** σ²·v for a flat vector v of length `dim`. */
  matvec(v: Float64Array): Promise<Float64Array>;
}

/**
 * The covariance of the per-example gradients gᵢ = ∇θℓ(θ; xᵢ, yᵢ) of the data loss over the n given
 * examples, σ² = (1/n)·Σᵢ (gᵢ − ḡ)(gᵢ − ḡ)ᵀ, as an operator on flat parameter vectors.
 *
 * @remarks
 * No per-example gradient is formed. A product σ²v = (1/n)·Σᵢ (aᵢ − ā)·gᵢ with aᵢ = gᵢ·v (the Σᵢ(aᵢ − ā)
 * multiplying ḡ vanishes) takes two passes over the data: the directional derivatives aᵢ from a double
 * backward pass with dummy per-example weights, then one backward pass of Σᵢ (aᵢ − ā)ℓᵢ / n. Cost: about
 * three backward passes over the data per product.
 *
 * Batch normalization is evaluated in inference mode, since a per-example gradient must depend on its own
 * example only. The regularization penalty is left out: its gradient is the same for every example and
 * cancels in gᵢ − ḡ.
 *
 * This is the 1/n ("population") covariance of the given examples; the estimators of
 * {@link gradientNoise} report the unbiased n/(n−1) multiple of its trace.
 *
 * @param model - a built tfjs-layers model.
 * @param data - the examples.
 * @param options - loss (default 'kld'), outputs, batchSize (default 32).
 */
export function gradientCovarianceOperator(
  model: LayersModel,
  data: Dataset,
  options: GradientCovarianceOptions = {},
): GradientCovarianceOperator {
  checkOptionKeys('gradientCovarianceOperator', options, OPTION_KEYS);
  const objective = trainingObjective(
    model,
    data,
    { ...options, bnMode: 'inference', includeRegularization: false },
    'gradientCovarianceOperator',
  );
  // The directional derivatives differentiate a backward pass, so they need correct second derivatives.
  warnIfSecondOrderDefective(model, objective.loss);
  let matvecCount = 0;
  return {
    dim: objective.dim,
    objective,
    get matvecCount() {
      return matvecCount;
    },
    async matvec(v) {
      assertFlatVector('gradientCovarianceOperator.matvec', v, objective.dim);
      const vs = unflattenToTensors(v, objective.shapes);
      let a: Float64Array;
      try {
        a = await directionalDerivatives(objective, vs);
      } finally {
        tf.dispose(vs);
      }
      const n = objective.n;
      let mean = 0;
      for (let i = 0; i < n; i++) mean += a[i]!;
      mean /= n;
      const weights = a.map((x) => (x - mean) / n);
      const out = await weightedGradientSum(objective, weights);
      matvecCount++;
      return out;
    },
  };
}
