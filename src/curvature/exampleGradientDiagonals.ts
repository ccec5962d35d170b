import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Dataset } from '../data/dataset.js';
import type { ProgressCallback } from './estimators/stochasticEstimate.js';
import { forEachExampleGradient } from './exampleGradients.js';
import type { GradientCovarianceOptions } from './gradientCovarianceOperator.js';
import { trainingObjective } from './trainingObjective.js';

/** Options for {@link exampleGradientDiagonals}: those of the σ² operator, plus progress. */
export interface ExampleGradientDiagonalsOptions extends GradientCovarianceOptions {
  /** Progress in examples: (done, n). */
  onProgress?: ProgressCallback;
}

/** The exact diagonals of the empirical Fisher and of σ² over a data set. */
export interface ExampleGradientDiagonals {
  /** diag F̂ = (1/n)·Σᵢ gᵢ ⊙ gᵢ. */
  empiricalFisher: Float64Array;
  /** diag σ² = diag F̂ − ḡ ⊙ ḡ, the 1/n covariance's diagonal (as `gradientCovarianceOperator`). */
  covariance: Float64Array;
  /** ḡ = (1/n)·Σᵢ gᵢ, the mean data-loss gradient. */
  meanGradient: Float64Array;
  /** Number of examples n. */
  examples: number;
}

/**
 * The exact diagonals of the empirical Fisher and of the gradient covariance σ², from every example's
 * own gradient (no probes, no standard error): what BackPACK's `SumGradSquared` and `Variance` give.
 *
 * @remarks
 * Streams the per-example gradients of `forEachExampleGradient` (inference-mode batch normalization,
 * data loss only, as for σ²) and accumulates the mean and the centered second moment coordinate-wise by
 * Welford's update, which stays accurate when the mean gradient dominates the spread. Cost: one
 * per-example gradient per example (n backward passes of one example with the current per-example API);
 * memory: three vectors of the parameter dimension.
 *
 * @param model - a built tfjs-layers model.
 * @param data - the examples.
 * @param options - loss (default 'kld'), outputs, batchSize, onProgress.
 */
export async function exampleGradientDiagonals(
  model: LayersModel,
  data: Dataset,
  options: ExampleGradientDiagonalsOptions = {},
): Promise<ExampleGradientDiagonals> {
  const { onProgress, ...objectiveOptions } = options;
  const objective = trainingObjective(
    model,
    data,
    { ...objectiveOptions, bnMode: 'inference', includeRegularization: false },
    'exampleGradientDiagonals',
  );
  const mean = new Float64Array(objective.dim);
  const m2 = new Float64Array(objective.dim);
  await forEachExampleGradient(
    objective,
    (i, g) => {
      const k = i + 1;
      for (let q = 0; q < g.length; q++) {
        const delta = g[q]! - mean[q]!;
        mean[q] = mean[q]! + delta / k;
        m2[q] = m2[q]! + delta * (g[q]! - mean[q]!);
      }
    },
    onProgress &&
      ((done) =>
        onProgress({ stage: 'exampleGradientDiagonals', done, total: objective.n, unit: 'examples' })),
  );
  const n = objective.n;
  const covariance = m2.map((s) => s / n);
  const empiricalFisher = covariance.map((c, q) => c + mean[q]! * mean[q]!);
  return { empiricalFisher, covariance, meanGradient: mean, examples: n };
}
