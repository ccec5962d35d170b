import { fromSizedMatrix, type MatrixLike } from '../linalg/matrixLike.js';
import {
  prepareSpectralProblem,
  type SymmetricInputOptions,
  spectralCovariance,
} from './spectralCovariance.js';
import { assertNonNegative } from './validate.js';

/**
 * Γ(t) = Cov V(t) for the Ornstein–Uhlenbeck process (10), dV = −H V dt − σ dB with V(0) = 0 and H, σ
 * frozen at the minimum: Γ(t) = ∫₀ᵗ e^{−Hs} σ² e^{−Hs} ds, so that Γ′ = σ² − HΓ − ΓH.
 *
 * @remarks
 * Closed form in H's eigenbasis: Γᵢⱼ(t) = (Vᵀσ²V)ᵢⱼ · (1 − e^{−(λᵢ+λⱼ)t}) / (λᵢ + λⱼ), evaluated with
 * expm1 (and as (Vᵀσ²V)ᵢⱼ·t when λᵢ + λⱼ = 0). Defined for every symmetric H: at a saddle the entries
 * along negative directions grow like e^{2|λ|t}, which is how V(t) fails to have a limit (Result 3.2);
 * for positive definite H, Γ(t) → Γ(∞) (`stationaryCovariance`).
 *
 * @param h - symmetric H.
 * @param sigma2 - symmetric σ².
 * @param t - time t ≥ 0 (in the SDE's time, t = k·δ after k SGD steps).
 * @param options - symmetry tolerance.
 * @returns Γ(t), in the same form as `h`.
 * @throws RangeError for a negative or NaN t or a non-symmetric H or σ².
 */
export function transientCovariance<T extends MatrixLike>(
  h: T,
  sigma2: MatrixLike,
  t: number,
  options: SymmetricInputOptions = {},
): T {
  const fn = 'transientCovariance';
  assertNonNegative(fn, 't', t);
  const problem = prepareSpectralProblem(fn, h, sigma2, options);
  const gamma = spectralCovariance(problem, (li, lj) => {
    const s = li + lj;
    return s === 0 ? t : -Math.expm1(-s * t) / s;
  });
  return fromSizedMatrix({ data: gamma, size: problem.n }, h);
}
