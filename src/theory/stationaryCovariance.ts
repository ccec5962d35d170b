import { fromSizedMatrix, type MatrixLike } from '../linalg/matrixLike.js';
import {
  prepareSpectralProblem,
  type SymmetricInputOptions,
  spectralCovariance,
} from './spectralCovariance.js';

/**
 * Γ(∞), the stationary covariance of the Ornstein–Uhlenbeck limit (10) of SGD around a minimum: the
 * solution of ΓH + HΓ = σ² (Eq. 11 of Luo & Wang 2021; Wang 2019, Result 3.2).
 *
 * @remarks
 * Computed in H's eigenbasis, H = V Λ Vᵀ: Γ = V [(Vᵀσ²V)ᵢⱼ / (λᵢ + λⱼ)] Vᵀ (Householder
 * tridiagonalization + implicit QL, then four n³ products). The covariance of the SGD iterate itself
 * is (δ/m)·Γ, and δ/(4m)·tr σ² = ½ tr(H·(δ/m)Γ) is the four-factor excess loss of Eq. (12). For a
 * non-symmetric drift (e.g. SGD with momentum) use `solveLyapunov`.
 *
 * @param h - the Hessian H at the minimum (symmetric positive definite): rows, `{ data, size }` or a
 *   mathjs matrix.
 * @param sigma2 - σ², the per-example gradient covariance at the minimum (symmetric).
 * @param options - symmetry tolerance.
 * @returns Γ(∞), in the same form as `h`.
 * @throws RangeError if H or σ² is not symmetric, or if H has an eigenvalue ≤ 0 — at a saddle point or
 *   along a flat direction V(t) has no stationary distribution (Result 3.2 of Luo & Wang 2021).
 */
export function stationaryCovariance<T extends MatrixLike>(
  h: T,
  sigma2: MatrixLike,
  options: SymmetricInputOptions = {},
): T {
  const fn = 'stationaryCovariance';
  const problem = prepareSpectralProblem(fn, h, sigma2, options);
  const lambdaMin = problem.values[0]!;
  if (!(lambdaMin > 0)) {
    throw new RangeError(
      `${fn}: H has a non-positive eigenvalue (λ_min = ${lambdaMin.toExponential(3)}), so it is not positive definite: at a saddle point or along a flat direction V(t) diverges and has no stationary covariance (Luo & Wang 2021, Result 3.2); use transientCovariance for a finite time`,
    );
  }
  const gamma = spectralCovariance(problem, (li, lj) => 1 / (li + lj));
  return fromSizedMatrix({ data: gamma, size: problem.n }, h);
}
