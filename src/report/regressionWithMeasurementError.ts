import { cholesky, choleskySolve } from '../linalg/cholesky.js';

/** A linear regression fitted by {@link regressWithMeasurementError}. */
export interface MeasurementErrorRegression {
  /** β̂, one per design column (ordinary least squares). */
  coefficients: Float64Array;
  /** Cov(β̂), p×p row-major: (XᵀX)⁻¹ Xᵀ diag(vᵢ + τ²) X (XᵀX)⁻¹. */
  covariance: Float64Array;
  /** √diag(Cov(β̂)). */
  standardErrors: Float64Array;
  /** τ², the variance between observations beyond their known measurement variances (≥ 0). */
  extraVariance: number;
  /** n − p, the degrees of freedom of τ² (use them for t intervals). */
  degreesOfFreedom: number;
  /** yᵢ − xᵢᵀβ̂. */
  residuals: Float64Array;
}

function checkInputs(
  design: readonly (readonly number[])[],
  y: readonly number[],
  variances: readonly number[],
) {
  const fn = 'regressWithMeasurementError';
  const n = design.length;
  const p = design[0]?.length ?? 0;
  if (p === 0) throw new RangeError(`${fn}: design must have at least one row and one column`);
  if (y.length !== n || variances.length !== n)
    throw new RangeError(
      `${fn}: design has ${n} rows but y has ${y.length} and variances ${variances.length} entries`,
    );
  if (n <= p) throw new RangeError(`${fn}: ${n} observations cannot fit ${p} coefficients with an error`);
  design.forEach((row, i) => {
    if (row.length !== p)
      throw new RangeError(`${fn}: design row ${i} has ${row.length} columns, expected ${p}`);
    if (!row.every(Number.isFinite)) throw new RangeError(`${fn}: design row ${i} is not finite`);
  });
  y.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`${fn}: y[${i}] must be finite, got ${v}`);
  });
  variances.forEach((v, i) => {
    if (!(v >= 0 && Number.isFinite(v)))
      throw new RangeError(`${fn}: variances[${i}] must be finite and ≥ 0, got ${v}`);
  });
  return { n, p };
}

/** (XᵀX)⁻¹ for the design's columns, or an error saying they are collinear. */
function inverseGram(design: readonly (readonly number[])[], p: number): Float64Array {
  const gram = new Float64Array(p * p);
  for (const row of design)
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) gram[a * p + b]! += row[a]! * row[b]!;
  let factor: Float64Array;
  try {
    factor = cholesky(gram, p);
  } catch {
    throw new RangeError(
      'regressWithMeasurementError: the design columns are collinear (e.g. a factor with one level)',
    );
  }
  const inverse = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const unit = new Float64Array(p);
    unit[j] = 1;
    const column = choleskySolve(factor, unit);
    for (let i = 0; i < p; i++) inverse[i * p + j] = column[i]!;
  }
  return inverse;
}

/**
 * Ordinary least squares for y = Xβ + e where each observation carries a known measurement variance vᵢ
 * (e.g. an estimator's squared standard error) on top of an unknown common variance τ² (e.g. the scatter
 * between seeds, plus lack of fit): Var(eᵢ) = vᵢ + τ².
 *
 * @remarks
 * τ² is the unbiased moment estimate max(0, (RSS − Σᵢ vᵢ(1 − hᵢᵢ)) / (n − p)), hᵢᵢ the leverages, from
 * E[RSS] = Σᵢ (vᵢ + τ²)(1 − hᵢᵢ). β̂ is the OLS estimate (unbiased whatever the variances) and its covariance
 * the sandwich with the fitted variances, so exact observations (vᵢ = 0) need no special case. With all vᵢ = 0
 * this is plain OLS (Cov = s²(XᵀX)⁻¹, s² = RSS/(n − p)); with all vᵢ = v ≤ s² it is the same.
 *
 * @param design - n rows of p regressors (include a column of ones for an intercept).
 * @param y - n responses.
 * @param variances - n known measurement variances, ≥ 0.
 * @throws RangeError naming the argument for mismatched lengths, non-finite values, n ≤ p or collinear columns.
 */
export function regressWithMeasurementError(
  design: readonly (readonly number[])[],
  y: readonly number[],
  variances: readonly number[],
): MeasurementErrorRegression {
  const { n, p } = checkInputs(design, y, variances);
  const inverse = inverseGram(design, p);
  const xty = new Float64Array(p);
  design.forEach((row, i) => {
    for (let a = 0; a < p; a++) xty[a]! += row[a]! * y[i]!;
  });
  const coefficients = new Float64Array(p);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) coefficients[a]! += inverse[a * p + b]! * xty[b]!;
  const residuals = new Float64Array(n);
  let rss = 0;
  let knownPart = 0;
  design.forEach((row, i) => {
    let fitted = 0;
    let h = 0;
    for (let a = 0; a < p; a++) {
      fitted += row[a]! * coefficients[a]!;
      for (let b = 0; b < p; b++) h += row[a]! * inverse[a * p + b]! * row[b]!;
    }
    residuals[i] = y[i]! - fitted;
    rss += residuals[i]! ** 2;
    knownPart += variances[i]! * (1 - h);
  });
  const degreesOfFreedom = n - p;
  const extraVariance = Math.max(0, (rss - knownPart) / degreesOfFreedom);
  // Meat: Σᵢ (vᵢ + τ²) xᵢxᵢᵀ; then A·meat·A with A = (XᵀX)⁻¹.
  const meat = new Float64Array(p * p);
  design.forEach((row, i) => {
    const w = variances[i]! + extraVariance;
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) meat[a * p + b]! += w * row[a]! * row[b]!;
  });
  const covariance = new Float64Array(p * p);
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) {
      let s = 0;
      for (let c = 0; c < p; c++)
        for (let d = 0; d < p; d++) s += inverse[a * p + c]! * meat[c * p + d]! * inverse[d * p + b]!;
      covariance[a * p + b] = s;
    }
  const standardErrors = Float64Array.from({ length: p }, (_, a) => Math.sqrt(covariance[a * p + a]!));
  return { coefficients, covariance, standardErrors, extraVariance, degreesOfFreedom, residuals };
}
