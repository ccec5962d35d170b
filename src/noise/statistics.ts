import { meanAndStandardError } from '../curvature/estimators/stochasticEstimate.js';

/** Mean and standard error of the mean (Bessel-corrected sample standard deviation over √k). */
export interface SampleMean {
  /** The sample mean. */
  mean: number;
  /** NaN for fewer than two samples. */
  standardError: number;
}

/**
 * The mean of i.i.d. samples and its standard error, by Welford's update (stable when the samples are
 * large and close together).
 *
 * @param samples - the samples.
 */
export function sampleMean(samples: ArrayLike<number>): SampleMean {
  return meanAndStandardError(samples);
}

/**
 * The ratio r = X/Y of two estimates and its standard error by the delta method:
 * SE(r)² ≈ r²·[(SE_X/X)² + (SE_Y/Y)² − 2·Cov(X, Y)/(X·Y)].
 *
 * @remarks
 * First order in the relative errors, so reliable while SE_Y/|Y| is small (say below 0.3); the ratio
 * itself is then biased by O((SE_Y/Y)²). Independent estimates have covariance 0; an exact denominator
 * has SE_Y = 0, which reduces this to SE_X/|Y|.
 *
 * @param x - numerator and its standard error.
 * @param y - denominator and its standard error.
 * @param covariance - Cov(X, Y) of the two estimates (not of single samples); default 0.
 */
export function ratioWithStandardError(
  x: { estimate: number; standardError: number },
  y: { estimate: number; standardError: number },
  covariance = 0,
): { estimate: number; standardError: number } {
  const r = x.estimate / y.estimate;
  const relX = x.standardError / x.estimate;
  const relY = y.standardError / y.estimate;
  const variance = r * r * (relX * relX + relY * relY - (2 * covariance) / (x.estimate * y.estimate));
  return { estimate: r, standardError: Math.sqrt(Math.max(variance, 0)) };
}

/**
 * The ratio of the means of paired samples (xᵢ, yᵢ), mean(x)/mean(y), with the delta-method standard
 * error that accounts for their sample covariance.
 *
 * @param xs - numerator samples.
 * @param ys - denominator samples, paired with `xs`.
 */
export function pairedRatio(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
): { estimate: number; standardError: number } {
  const k = xs.length;
  if (ys.length !== k) throw new RangeError(`pairedRatio: ${k} numerator samples against ${ys.length}`);
  const x = sampleMean(xs);
  const y = sampleMean(ys);
  let cov = 0;
  for (let i = 0; i < k; i++) cov += (xs[i]! - x.mean) * (ys[i]! - y.mean);
  const covarianceOfMeans = k < 2 ? Number.NaN : cov / (k - 1) / k;
  return ratioWithStandardError(
    { estimate: x.mean, standardError: x.standardError },
    { estimate: y.mean, standardError: y.standardError },
    covarianceOfMeans,
  );
}
