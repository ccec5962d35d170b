import { matmul } from '../linalg/matrixMultiply.js';
import { discreteStationaryCovariance } from '../theory/discreteStationaryCovariance.js';
import { assertPositive, assertPositiveInteger } from '../theory/validate.js';
import type { LinearRegressionModel } from './linearRegression.js';

/** The exact stationary moments of SGD on the linear-regression model. */
export interface LinearRegressionStationaryMoments {
  /** Σ = Cov(θ − θ*) at stationarity (p×p row-major); E θ = θ* exactly. */
  covariance: Float64Array;
  /** (m/δ)·Σ, to compare with Γ(∞). */
  scaledCovariance: Float64Array;
  /** E f − f* = ½ tr(HΣ). */
  excessLoss: number;
  /** E|∇f|² = tr(H²Σ). */
  gradNormSq: number;
}

/**
 * The exact stationary covariance of discrete SGD (sampling with replacement / fresh draws, batch m,
 * learning rate δ) on linear regression, including the multiplicative noise that the Stein equation of
 * `discreteStationaryCovariance` leaves out.
 *
 * @remarks
 * With e = θ − θ* and the minibatch Hessian Ĥ = (1/m)Σ xᵢxᵢᵀ, SGD is e′ = (I − δĤ)e + δξ with
 * Cov ξ = σ²/m, ξ and Ĥ independent of e and E e = 0, so at stationarity
 * Σ = E[(I − δĤ) Σ (I − δĤ)] + (δ²/m)σ², where E[ĤΣĤ] = HΣH + (M(Σ) − HΣH)/m and
 * M(Σ) = E[(xᵀΣx) xxᵀ]. This is solved as a fixed point of Stein equations
 * Σ ← Stein(σ² + M(Σ) − HΣH); the extra term is O(δ/m) relative, so few iterations are needed.
 *
 * @param model - a model from `createLinearRegression`.
 * @param lr - learning rate δ.
 * @param batchSize - batch size m.
 * @throws RangeError for invalid lr or batchSize, or when SGD's second moments diverge at this lr.
 */
export function linearRegressionStationaryCovariance(
  model: LinearRegressionModel,
  lr: number,
  batchSize: number,
): LinearRegressionStationaryMoments {
  const fn = 'linearRegressionStationaryCovariance';
  assertPositive(fn, 'lr', lr);
  assertPositiveInteger(fn, 'batchSize', batchSize);
  const p = model.dim;
  const H = model.hessian;
  const size = p;
  const stein = (rhs: Float64Array): Float64Array =>
    discreteStationaryCovariance({ data: H, size }, { data: rhs, size }, lr, batchSize).data;
  let sigma = stein(model.gradientCovariance);
  let converged = false;
  for (let iter = 0; iter < 500; iter++) {
    const m4 = model.fourthMoment(sigma);
    const hsh = matmul(matmul(H, sigma, p, p, p), H, p, p, p);
    const rhs = model.gradientCovariance.map((v, k) => v + m4[k]! - hsh[k]!);
    const next = stein(rhs);
    let diff = 0;
    let scale = 0;
    for (let k = 0; k < p * p; k++) {
      diff = Math.max(diff, Math.abs(next[k]! - sigma[k]!));
      scale = Math.max(scale, Math.abs(next[k]!));
    }
    if (!Number.isFinite(diff) || scale > 1e200) break;
    sigma = next;
    if (diff <= 1e-15 * scale) {
      converged = true;
      break;
    }
  }
  if (!converged) {
    throw new RangeError(
      `${fn}: the second moments of SGD do not converge at lr = ${lr}, batchSize = ${batchSize} (multiplicative noise makes SGD unstable); use a smaller lr`,
    );
  }
  const hs = matmul(H, sigma, p, p, p);
  const hhs = matmul(H, hs, p, p, p);
  let excessLoss = 0;
  let gradNormSq = 0;
  for (let i = 0; i < p; i++) {
    excessLoss += 0.5 * hs[i * p + i]!;
    gradNormSq += hhs[i * p + i]!;
  }
  return {
    covariance: sigma,
    scaledCovariance: sigma.map((v) => (v * batchSize) / lr),
    excessLoss,
    gradNormSq,
  };
}
