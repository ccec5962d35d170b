import type { SpectralDensityResult } from './spectralDensity.js';
import { meanAndStandardError, type StochasticEstimate } from './stochasticEstimate.js';

/**
 * ∫f dμ under a {@link spectralDensity} estimate, i.e. an estimate of tr(f(A))/n, with a standard error.
 *
 * @remarks
 * Each probe's quadrature value Σⱼ τⱼ·f(θⱼ) estimates v ᵀf(A)v for its unit start vector v, whose
 * expectation is tr(f(A))/n; `samples` are these per-probe values and `standardError` is their sample
 * standard deviation over √probes. The standard error covers the probe randomness only, not the
 * quadrature error, which is zero for polynomials of degree ≤ 2·steps − 1 and small for smooth f.
 * Multiply by `result.dim` for tr(f(A)); f = λ ↦ λ gives tr(A)/n exactly as Hutchinson would.
 *
 * @param result - the output of {@link spectralDensity}.
 * @param f - the function to integrate, applied to each node.
 * @returns the estimate of ∫f dμ, its standard error (NaN for one probe), the matvecs the density cost
 *   and the per-probe values.
 */
export function integrateSpectralDensity(
  result: SpectralDensityResult,
  f: (lambda: number) => number,
): StochasticEstimate {
  const samples = new Float64Array(result.nodes.length);
  result.nodes.forEach((nodes, p) => {
    const weights = result.weights[p]!;
    let acc = 0;
    for (let j = 0; j < nodes.length; j++) acc += weights[j]! * f(nodes[j]!);
    samples[p] = acc;
  });
  const stats = meanAndStandardError(samples);
  return {
    estimate: stats.mean,
    standardError: stats.standardError,
    matvecs: result.matvecs,
    probeValues: samples,
  };
}
