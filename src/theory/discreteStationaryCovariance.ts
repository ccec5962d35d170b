import { fromSizedMatrix, type MatrixLike } from '../linalg/matrixLike.js';
import {
  prepareSpectralProblem,
  type SymmetricInputOptions,
  spectralCovariance,
} from './spectralCovariance.js';
import { assertPositive, assertPositiveInteger } from './validate.js';

/**
 * The exact stationary covariance Σ of the linearized discrete SGD iteration
 * θ_{k+1} − θ* = (I − δH)(θ_k − θ*) + δ ξ_k with Cov ξ_k = σ²/m, i.e. the solution of the Stein
 * equation Σ = (I − δH) Σ (I − δH) + (δ²/m) σ².
 *
 * @remarks
 * In H's eigenbasis Σᵢⱼ = (δ/m)(Vᵀσ²V)ᵢⱼ / (λᵢ + λⱼ − δλᵢλⱼ). Compare **(m/δ)·Σ** with Γ(∞) from
 * `stationaryCovariance` (denominator λᵢ + λⱼ): the relative gap is O(δλ), the discretization error of
 * the SDE (9), and it explains why simulated SGD deviates from Eq. (12) at larger learning rates. (For
 * the linear-regression model the exact discrete covariance also has a multiplicative-noise term; see
 * `linearRegressionStationaryCovariance`.)
 *
 * @param h - symmetric H at the minimum.
 * @param sigma2 - symmetric per-example gradient covariance σ².
 * @param lr - learning rate δ > 0.
 * @param batchSize - batch size m (positive integer).
 * @param options - symmetry tolerance.
 * @returns Σ (the covariance of θ − θ*, not rescaled), in the same form as `h`.
 * @throws RangeError for invalid lr or batchSize, a non-symmetric H or σ², or when the iteration has no
 *   stationary distribution: some eigenvalue with λ ≤ 0 or δλ ≥ 2 (|1 − δλ| ≥ 1).
 */
export function discreteStationaryCovariance<T extends MatrixLike>(
  h: T,
  sigma2: MatrixLike,
  lr: number,
  batchSize: number,
  options: SymmetricInputOptions = {},
): T {
  const fn = 'discreteStationaryCovariance';
  assertPositive(fn, 'lr', lr);
  assertPositiveInteger(fn, 'batchSize', batchSize);
  const problem = prepareSpectralProblem(fn, h, sigma2, options);
  const lambdaMin = problem.values[0]!;
  const lambdaMax = problem.values[problem.n - 1]!;
  if (!(lambdaMin > 0)) {
    throw new RangeError(
      `${fn}: H has a non-positive eigenvalue (λ_min = ${lambdaMin.toExponential(3)}): the iteration has no stationary distribution (Luo & Wang 2021, Result 3.2)`,
    );
  }
  if (!(lr * lambdaMax < 2)) {
    throw new RangeError(
      `${fn}: lr·λ_max = ${(lr * lambdaMax).toPrecision(4)} ≥ 2, so |1 − lr·λ| ≥ 1 and linearized SGD diverges (no stationary covariance); use lr < ${(2 / lambdaMax).toPrecision(4)}`,
    );
  }
  const scale = lr / batchSize;
  const sigma = spectralCovariance(problem, (li, lj) => scale / (li + lj - lr * li * lj));
  return fromSizedMatrix({ data: sigma, size: problem.n }, h);
}
