import type { RunEstimate } from '../run/runResult.js';

/** A mean over runs and its standard error. */
export interface MeanWithError {
  /** The mean. */
  mean: number;
  /** Its standard error. */
  standardError: number;
  /** How many runs it is over. */
  n: number;
}

/**
 * An estimate's standard error; NaN when unknown (an estimator with one sample reports NaN, which
 * results.jsonl stores as null).
 */
function ownStandardError(e: RunEstimate): number {
  return typeof e.standardError === 'number' ? e.standardError : Number.NaN;
}

/**
 * The mean of per-seed estimates and its standard error: the sample standard deviation over √n when
 * there are two or more seeds (this already contains the estimators' own noise); with a single seed, that
 * run's own (estimator) standard error.
 *
 * @param estimates - one estimate per seed.
 */
export function meanOverSeeds(estimates: readonly RunEstimate[]): MeanWithError {
  const n = estimates.length;
  if (n === 0) return { mean: Number.NaN, standardError: Number.NaN, n };
  const mean = estimates.reduce((s, e) => s + e.estimate, 0) / n;
  if (n === 1) return { mean, standardError: ownStandardError(estimates[0] as RunEstimate), n };
  const variance = estimates.reduce((s, e) => s + (e.estimate - mean) ** 2, 0) / (n - 1);
  return { mean, standardError: Math.sqrt(variance / n), n };
}

/**
 * The ratio of the means of two per-seed quantities (as the paper's magnitude difference Tr H / tr σ² is
 * formed from the averaged traces) with a delta-method standard error that includes their covariance
 * across seeds; with a single seed, the two estimators' standard errors, taken as independent.
 *
 * @param numerators - per-seed numerator estimates.
 * @param denominators - per-seed denominator estimates, in the same seed order.
 */
export function ratioOfMeans(
  numerators: readonly RunEstimate[],
  denominators: readonly RunEstimate[],
): MeanWithError {
  if (numerators.length !== denominators.length)
    throw new RangeError(
      `ratioOfMeans: ${numerators.length} numerators but ${denominators.length} denominators`,
    );
  const a = meanOverSeeds(numerators);
  const b = meanOverSeeds(denominators);
  const n = numerators.length;
  const ratio = a.mean / b.mean;
  let covariance = 0;
  if (n >= 2) {
    for (let i = 0; i < n; i++)
      covariance +=
        ((numerators[i] as RunEstimate).estimate - a.mean) *
        ((denominators[i] as RunEstimate).estimate - b.mean);
    covariance /= (n - 1) * n;
  }
  const relative =
    (a.standardError / a.mean) ** 2 + (b.standardError / b.mean) ** 2 - (2 * covariance) / (a.mean * b.mean);
  return { mean: ratio, standardError: Math.abs(ratio) * Math.sqrt(Math.max(0, relative)), n };
}
