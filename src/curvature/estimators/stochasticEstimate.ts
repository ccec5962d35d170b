import type { ProgressListener } from '../../util/progress.js';

/**
 * Result of a randomized estimator: the estimate, its standard error, what it cost and the per-probe
 * values it was averaged from.
 */
export interface StochasticEstimate {
  /** The estimate (e.g. of tr(A)). */
  estimate: number;
  /**
   * Estimated standard deviation of `estimate` over the estimator's randomness: the sample standard
   * deviation of `probeValues` divided by √(probeValues.length). NaN when fewer than two samples exist. Each
   * estimator documents what this covers.
   */
  standardError: number;
  /** Number of operator matvecs (e.g. Hessian–vector products) spent. */
  matvecs: number;
  /**
   * The per-probe values whose mean (plus any deterministic part) is `estimate`. (Named apart from the
   * `samples` count of the noise estimates, `Estimate.samples`.)
   */
  probeValues: Float64Array;
}

/**
 * The estimators' `onProgress`: called after each matvec with `{ stage, done, total }`, `stage` being the
 * estimator's name. The same {@link ProgressListener} as every long library call takes.
 */
export type ProgressCallback = ProgressListener;

/** Mean and standard error of the mean (sample standard deviation / √k, Bessel-corrected). */
export function meanAndStandardError(samples: ArrayLike<number>): { mean: number; standardError: number } {
  const k = samples.length;
  // Welford's update: stable when the samples are large and nearly equal (a trace with a small spread).
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < k; i++) {
    const x = samples[i]!;
    const delta = x - mean;
    mean += delta / (i + 1);
    m2 += delta * (x - mean);
  }
  if (k === 0) return { mean: Number.NaN, standardError: Number.NaN };
  const standardError = k < 2 ? Number.NaN : Math.sqrt(m2 / (k - 1) / k);
  return { mean, standardError };
}
