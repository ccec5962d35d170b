import { createRng } from '../../util/random.js';
import type { LinearOperator } from '../linearOperator.js';
import { applyOperator } from './applyOperator.js';
import { checkDistribution, fillProbe, type ProbeDistribution } from './probes.js';
import {
  meanAndStandardError,
  type ProgressCallback,
  type StochasticEstimate,
} from './stochasticEstimate.js';
import { checkInteger, checkOperator, checkPositive, checkSeed } from './validateOptions.js';

/** Options for {@link hutchinsonTrace}. */
export interface HutchinsonOptions {
  /** Number of probes (= matvecs) when `tol` is not given; default 100. Not allowed together with `tol`. */
  probes?: number;
  /** Probe distribution; default `'rademacher'`. */
  distribution?: ProbeDistribution;
  /** Seed of the probe stream; default 0. */
  seed?: number;
  /**
   * Relative tolerance for adaptive stopping: after each probe from `minProbes` on, stop as soon as
   * standardError ≤ tol·|estimate|. Without it, exactly `probes` probes are used.
   */
  tol?: number;
  /** With `tol`: the smallest number of probes before the stopping rule is checked; default 10, at least 2. */
  minProbes?: number;
  /** With `tol`: give up (with `converged: false`) after this many probes; default 1000. */
  maxProbes?: number;
  /** Progress in probes: (done, total), total being `probes` or `maxProbes`. */
  onProgress?: ProgressCallback;
}

/** Result of {@link hutchinsonTrace}. */
export interface HutchinsonResult extends StochasticEstimate {
  /** With `tol`: whether the stopping rule was met before `maxProbes`. Without `tol`: always true. */
  converged: boolean;
}

/**
 * Girard–Hutchinson trace estimator: tr(A) ≈ (1/k)·Σ xᵢᵀA xᵢ over k random probes xᵢ with E[x xᵀ] = I.
 *
 * @remarks
 * Unbiased for any square operator, definite or not. The per-probe variance is 2‖A‖_F² − 2Σa_ii² for
 * Rademacher probes and 2‖A‖_F² for Gaussian probes (A symmetric), so the relative error is small when
 * the trace is large compared with the Frobenius norm — and poor for low-rank or indefinite A, where
 * {@link hutchPlusPlusTrace} and {@link xtrace} do better. `standardError` is the sample standard
 * deviation of the k probe values over √k: a consistent estimate of the true standard deviation, itself
 * noisy for small k (it follows roughly a χ distribution with k−1 degrees of freedom).
 *
 * With `tol`, the number of probes adapts: the estimator stops at the first k ≥ `minProbes` with
 * standardError ≤ tol·|estimate|. The minimum matters — a rule checked after two probes stops on lucky
 * pairs whose sample variance happens to be tiny. Because runs whose |estimate| happens to be large
 * meet a relative rule sooner, the adaptive estimate is biased away from zero by a fraction of its
 * standard error (measured: 0.35 SE at tol 0.1 and 0.14 SE at tol 0.05 with minProbes 10; 0.85 SE
 * with minProbes 2 — see docs/estimators.md).
 *
 * Cost: one matvec per probe; memory: two vectors of length `op.dim`.
 *
 * @param op - the operator (e.g. a Hessian); `matvec` may be async and is always awaited.
 * @param options - probes or tol/minProbes/maxProbes, distribution, seed, onProgress.
 * @returns the estimate, its standard error, the matvecs spent, the per-probe values xᵢᵀAxᵢ and whether
 *   the tolerance was met.
 * @throws RangeError naming the option when an option is invalid.
 */
export async function hutchinsonTrace(
  op: LinearOperator,
  options: HutchinsonOptions = {},
): Promise<HutchinsonResult> {
  const fn = 'hutchinsonTrace';
  const n = checkOperator(fn, op);
  const distribution = checkDistribution(fn, options.distribution);
  const seed = checkSeed(fn, options.seed);
  const adaptive = options.tol !== undefined;
  let minProbes: number;
  let maxProbes: number;
  let tol = 0;
  if (adaptive) {
    tol = checkPositive(fn, 'tol', options.tol);
    if (options.probes !== undefined) {
      throw new RangeError(
        `${fn}: pass either probes (fixed count) or tol (with minProbes/maxProbes), not both`,
      );
    }
    minProbes = checkInteger(fn, 'minProbes', options.minProbes ?? 10, 2);
    maxProbes = checkInteger(fn, 'maxProbes', options.maxProbes ?? Math.max(1000, minProbes), 1);
    if (maxProbes < minProbes) {
      throw new RangeError(`${fn}: maxProbes (${maxProbes}) must be ≥ minProbes (${minProbes})`);
    }
  } else {
    if (options.minProbes !== undefined || options.maxProbes !== undefined) {
      throw new RangeError(`${fn}: minProbes and maxProbes only apply together with tol`);
    }
    minProbes = maxProbes = checkInteger(fn, 'probes', options.probes ?? 100, 1);
  }

  const rng = createRng(seed);
  const probe = new Float64Array(n);
  const samples: number[] = [];
  // Welford's running mean and sum of squared deviations, so the stopping rule costs O(1) per probe.
  let mean = 0;
  let m2 = 0;
  let converged = !adaptive;
  for (let k = 1; k <= maxProbes; k++) {
    fillProbe(probe, rng, distribution);
    const av = await applyOperator(fn, op, probe);
    let q = 0;
    for (let i = 0; i < n; i++) q += probe[i]! * av[i]!;
    samples.push(q);
    const delta = q - mean;
    mean += delta / k;
    m2 += delta * (q - mean);
    options.onProgress?.(k, maxProbes);
    if (adaptive && k >= minProbes && Math.sqrt(m2 / (k - 1) / k) <= tol * Math.abs(mean)) {
      converged = true;
      break;
    }
  }
  const stats = meanAndStandardError(samples);
  return {
    estimate: stats.mean,
    standardError: stats.standardError,
    matvecs: samples.length,
    samples: Float64Array.from(samples),
    converged,
  };
}
