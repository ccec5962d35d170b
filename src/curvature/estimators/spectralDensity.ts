import { symmetricTridiagonalEigen } from '../../linalg/symmetricTridiagonalEigen.js';
import { checkInteger, checkOptionKeys, checkSeed, type OptionKeys } from '../../util/options.js';
import { createRng } from '../../util/random.js';
import type { LinearOperator } from '../linearOperator.js';
import { lanczosStep, startLanczos } from './lanczos.js';
import { checkDistribution, fillProbe, type ProbeDistribution } from './probes.js';
import type { ProgressCallback } from './stochasticEstimate.js';
import { checkOperator } from './validateOptions.js';

/** Options for {@link spectralDensity}. */
export interface SpectralDensityOptions {
  /** Lanczos steps per probe (= nodes per probe, = matvecs per probe); default min(dim, 50). */
  steps?: number;
  /** Number of random start vectors; default 10. */
  probes?: number;
  /** Distribution of the start vectors before normalization; default `'rademacher'`. */
  distribution?: ProbeDistribution;
  /** Seed; default 0. */
  seed?: number;
  /** Progress in matvecs: (done, steps·probes). */
  onProgress?: ProgressCallback;
}

const OPTION_KEYS: OptionKeys<SpectralDensityOptions> = {
  steps: true,
  probes: true,
  distribution: true,
  seed: true,
  onProgress: true,
};

/** A spectral density estimate as a mixture of per-probe Gauss quadrature rules. */
export interface SpectralDensityResult {
  /** Per probe: the quadrature nodes (Ritz values of the Lanczos tridiagonal), ascending. */
  nodes: Float64Array[];
  /** Per probe: the quadrature weights (squared first components of T's eigenvectors); they sum to 1. */
  weights: Float64Array[];
  /** The operator dimension n (multiply an integral by it to estimate a trace). */
  dim: number;
  /** Matvecs spent in total (fewer than steps·probes when a Krylov space became invariant early). */
  matvecs: number;
}

/**
 * Spectral density of a symmetric operator by stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017;
 * the eigenvalue density plots of Ghorbani et al. 2019 and PyHessian).
 *
 * @remarks
 * The spectral density μ = (1/n)·Σᵢ δ(λᵢ) satisfies ∫f dμ = tr(f(A))/n. For a random unit vector v,
 * vᵀf(A)v is an unbiased estimate of that, and m Lanczos steps from v give the Gauss quadrature rule
 * vᵀf(A)v ≈ Σⱼ τⱼ·f(θⱼ), with nodes θⱼ the eigenvalues of the m×m tridiagonal T and weights τⱼ the
 * squared first components of its unit eigenvectors (so Σⱼ τⱼ = ‖v‖² = 1). The rule is exact for
 * polynomials of degree ≤ 2m − 1, so moments up to that degree are Hutchinson estimates with no
 * quadrature error. Averaging the probes' rules gives a discrete measure; use
 * {@link gaussianSmoothedDensity} to plot it and {@link integrateSpectralDensity} for ∫f dμ with an
 * error bar.
 *
 * Each probe runs Lanczos with full reorthogonalization; a probe stops early (with fewer nodes) when its
 * Krylov space becomes invariant, in which case its rule is exact for every f.
 *
 * Cost: steps·probes matvecs at most; memory: steps + 1 vectors of length n.
 *
 * @param op - a symmetric operator; `matvec` may be async and is always awaited.
 * @param options - steps, probes, distribution, seed, onProgress.
 * @returns the nodes and weights of each probe, the dimension and the matvecs spent.
 * @throws RangeError naming the option when an option is invalid.
 */
export async function spectralDensity(
  op: LinearOperator,
  options: SpectralDensityOptions = {},
): Promise<SpectralDensityResult> {
  const fn = 'spectralDensity';
  checkOptionKeys(fn, options, OPTION_KEYS);
  const n = checkOperator(fn, op);
  const steps = checkInteger(fn, 'steps', options.steps ?? Math.min(n, 50), 1);
  const probes = checkInteger(fn, 'probes', options.probes ?? 10, 1);
  const distribution = checkDistribution(fn, options.distribution);
  const rng = createRng(checkSeed(fn, options.seed));
  const total = steps * probes;
  const nodes: Float64Array[] = [];
  const weights: Float64Array[] = [];
  let matvecs = 0;
  const start = new Float64Array(n);
  for (let p = 0; p < probes; p++) {
    const state = startLanczos(fn, fillProbe(start, rng, distribution));
    for (let j = 0; j < steps; j++) {
      const extended = await lanczosStep(fn, op, state);
      matvecs++;
      if (!extended) break;
      if (j < steps - 1) options.onProgress?.({ stage: fn, done: p * steps + j + 1, total });
    }
    // Counted in planned steps, so that a probe that stops early still advances the bar to its end.
    options.onProgress?.({ stage: fn, done: (p + 1) * steps, total });
    // Drop the basis now: only T is needed, and the next probe allocates its own.
    state.basis.length = 0;
    const m = state.alpha.length;
    const { values, vectors } = symmetricTridiagonalEigen(
      Float64Array.from(state.alpha),
      Float64Array.from(state.beta.slice(0, m - 1)),
      { vectors: true },
    );
    const w = new Float64Array(m);
    for (let j = 0; j < m; j++) w[j] = vectors![j]! ** 2;
    nodes.push(values);
    weights.push(w);
  }
  return { nodes, weights, dim: n, matvecs };
}
