import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Dataset } from '../data/dataset.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { batchedUnsupportedReason } from './batched/layerTaps.js';
import { projectedGradientSums } from './batchedExampleGradients.js';
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
 * No per-example gradient is formed. A product is σ²v = (1/n)·Σᵢ (aᵢ − ā)·gᵢ with aᵢ = gᵢ·v (the Σᵢ(aᵢ − ā)
 * multiplying ḡ vanishes). For models of dense, convolutional and (inference-mode) batch-norm layers it
 * takes one forward and one backward pass per chunk ({@link projectedGradientSums}): aᵢ, Σᵢ aᵢgᵢ and Σᵢ gᵢ
 * from each layer's inputs and output gradients, combined as (Σᵢ aᵢgᵢ − ā·Σᵢ gᵢ)/n — about one gradient's
 * cost. For other models, two passes: the aᵢ from a double backward pass with dummy per-example weights,
 * then one backward pass of Σᵢ (aᵢ − ā)ℓᵢ / n (about three backward passes).
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
  const batched = batchedUnsupportedReason(objective) === undefined;
  // The two-pass directional derivatives differentiate a backward pass, so they need correct second
  // derivatives; the batched pass does not.
  if (!batched) warnIfSecondOrderDefective(model, objective.loss);
  let matvecCount = 0;
  return {
    dim: objective.dim,
    objective,
    get matvecCount() {
      return matvecCount;
    },
    async matvec(v) {
      assertFlatVector('gradientCovarianceOperator.matvec', v, objective.dim);
      const out = batched ? await onePass(objective, v) : await twoPasses(objective, v);
      matvecCount++;
      return out;
    },
  };
}

function meanOf(a: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]!;
  return sum / a.length;
}

/** σ²v = (Σᵢ aᵢgᵢ − ā·Σᵢ gᵢ)/n from one batched pass. */
async function onePass(objective: TrainingObjective, v: Float64Array): Promise<Float64Array> {
  const vs = unflattenToTensors(v, objective.shapes);
  try {
    const { directional, weightedSum, gradientSum } = await projectedGradientSums(objective, vs);
    const mean = meanOf(directional);
    return weightedSum.map((x, q) => (x - mean * gradientSum[q]!) / objective.n);
  } finally {
    tf.dispose(vs);
  }
}

/** σ²v = Σᵢ ((aᵢ − ā)/n)·gᵢ: the aᵢ by double backpropagation, then one weighted backward pass. */
async function twoPasses(objective: TrainingObjective, v: Float64Array): Promise<Float64Array> {
  const vs = unflattenToTensors(v, objective.shapes);
  let a: Float64Array;
  try {
    a = await directionalDerivatives(objective, vs);
  } finally {
    tf.dispose(vs);
  }
  const mean = meanOf(a);
  return weightedGradientSum(
    objective,
    a.map((x) => (x - mean) / objective.n),
  );
}
