import {
  checkInteger,
  checkOptionKeys,
  checkPositive,
  checkSeed,
  givenOptionName,
  type OptionKeys,
  renamedOption,
} from '../../util/options.js';
import { createRng } from '../../util/random.js';
import type { LinearOperator } from '../linearOperator.js';
import { applyOperator } from './applyOperator.js';
import { checkDistribution, fillProbe, type ProbeDistribution } from './probes.js';
import {
  meanAndStandardError,
  type ProgressCallback,
  type StochasticEstimate,
} from './stochasticEstimate.js';
import { checkOperator } from './validateOptions.js';

/** The deprecated option names of {@link hutchinsonTrace}, and their new names. */
export const HUTCHINSON_RENAMED: Readonly<Record<string, string>> = {
  probes: 'matvecs',
  minProbes: 'minMatvecs',
  maxProbes: 'maxMatvecs',
};

/** Options for {@link hutchinsonTrace}. */
export interface HutchinsonOptions {
  /**
   * Matvecs (= probes, one each) when `tol` is not given; default 100. Not allowed together with `tol`.
   * The matvec budget has this name in every estimator ({@link hutchPlusPlusTrace}, {@link xtrace},
   * `measureMinimum`).
   */
  matvecs?: number;
  /** @deprecated The old name of `matvecs`. */
  probes?: number;
  /** Probe distribution; default `'rademacher'`. */
  distribution?: ProbeDistribution;
  /**
   * Seed of the probe stream; default 0. Probe i is the i-th draw of `createRng(seed)`, so equal seeds
   * give equal probes here, in `parallelHutchinsonTrace` and in `measureMinimum`'s Tr H.
   */
  seed?: number;
  /**
   * Relative tolerance for adaptive stopping: after each probe from `minMatvecs` on, stop as soon as
   * standardError ≤ tol·|estimate|. Without it, exactly `matvecs` probes are used.
   */
  tol?: number;
  /** With `tol`: the fewest matvecs before the stopping rule is checked; default 10, at least 2. */
  minMatvecs?: number;
  /** @deprecated The old name of `minMatvecs`. */
  minProbes?: number;
  /** With `tol`: give up (with `converged: false`) after this many matvecs; default 1000. */
  maxMatvecs?: number;
  /** @deprecated The old name of `maxMatvecs`. */
  maxProbes?: number;
  /** Progress in matvecs: `{ stage: 'hutchinsonTrace', done, total }`, total `matvecs` or `maxMatvecs`. */
  onProgress?: ProgressCallback;
}

/** Every key of {@link HutchinsonOptions}, for {@link checkOptionKeys}. */
export const HUTCHINSON_OPTION_KEYS: OptionKeys<HutchinsonOptions> = {
  matvecs: true,
  probes: true,
  distribution: true,
  seed: true,
  tol: true,
  minMatvecs: true,
  minProbes: true,
  maxMatvecs: true,
  maxProbes: true,
  onProgress: true,
};

/** How many probes a Hutchinson estimate draws, and when it may stop. */
export interface HutchinsonPlan {
  /** Whether the tolerance rule applies. */
  adaptive: boolean;
  /** The relative tolerance (0 without `tol`). */
  tol: number;
  /** Matvecs before the rule is checked (= `maxMatvecs` without `tol`). */
  minMatvecs: number;
  /** Matvecs at most. */
  maxMatvecs: number;
}

/**
 * Checks {@link HutchinsonOptions}' budget options (new names and deprecated ones) and fills in their
 * defaults; shared with `parallelHutchinsonTrace` so that both stop at the same probe.
 *
 * @param fn - the caller's name, for messages.
 * @param options - the options.
 * @throws RangeError or TypeError naming the option.
 */
export function hutchinsonPlan(fn: string, options: HutchinsonOptions): HutchinsonPlan {
  const matvecs = renamedOption<number>(fn, options, 'matvecs', 'probes');
  const min = renamedOption<number>(fn, options, 'minMatvecs', 'minProbes');
  const max = renamedOption<number>(fn, options, 'maxMatvecs', 'maxProbes');
  if (options.tol === undefined) {
    if (min !== undefined || max !== undefined)
      throw new RangeError(`${fn}: minMatvecs and maxMatvecs only apply together with tol`);
    const fixed = checkInteger(fn, givenOptionName(options, 'matvecs', 'probes'), matvecs ?? 100, 1);
    return { adaptive: false, tol: 0, minMatvecs: fixed, maxMatvecs: fixed };
  }
  const tol = checkPositive(fn, 'tol', options.tol);
  if (matvecs !== undefined)
    throw new RangeError(
      `${fn}: pass either matvecs (fixed count) or tol (with minMatvecs/maxMatvecs), not both`,
    );
  const minMatvecs = checkInteger(fn, givenOptionName(options, 'minMatvecs', 'minProbes'), min ?? 10, 2);
  const maxMatvecs = checkInteger(
    fn,
    givenOptionName(options, 'maxMatvecs', 'maxProbes'),
    max ?? Math.max(1000, minMatvecs),
    1,
  );
  if (maxMatvecs < minMatvecs)
    throw new RangeError(`${fn}: maxMatvecs (${maxMatvecs}) must be ≥ minMatvecs (${minMatvecs})`);
  return { adaptive: true, tol, minMatvecs, maxMatvecs };
}

/** Result of {@link hutchinsonTrace}. */
export interface HutchinsonResult extends StochasticEstimate {
  /** With `tol`: whether the stopping rule was met before `maxMatvecs`. Without `tol`: always true. */
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
 * With `tol`, the number of probes adapts: the estimator stops at the first k ≥ `minMatvecs` with
 * standardError ≤ tol·|estimate|. The minimum matters — a rule checked after two probes stops on lucky
 * pairs whose sample variance happens to be tiny. Because runs whose |estimate| happens to be large
 * meet a relative rule sooner, the adaptive estimate is biased away from zero by a fraction of its
 * standard error (measured: 0.35 SE at tol 0.1 and 0.14 SE at tol 0.05 with minMatvecs 10; 0.85 SE
 * with minMatvecs 2 — see docs/estimators.md).
 *
 * Cost: one matvec per probe; memory: two vectors of length `op.dim`.
 *
 * @param op - the operator (e.g. a Hessian); `matvec` may be async and is always awaited.
 * @param options - matvecs or tol/minMatvecs/maxMatvecs, distribution, seed, onProgress (the old names
 *   probes/minProbes/maxProbes are accepted as deprecated aliases; unknown keys are refused).
 * @returns the estimate, its standard error, the matvecs spent, the per-probe values xᵢᵀAxᵢ and whether
 *   the tolerance was met.
 * @throws RangeError naming the option when an option is invalid.
 */
export async function hutchinsonTrace(
  op: LinearOperator,
  options: HutchinsonOptions = {},
): Promise<HutchinsonResult> {
  const fn = 'hutchinsonTrace';
  checkOptionKeys(fn, options, HUTCHINSON_OPTION_KEYS, HUTCHINSON_RENAMED);
  const n = checkOperator(fn, op);
  const distribution = checkDistribution(fn, options.distribution);
  const seed = checkSeed(fn, options.seed);
  const { adaptive, tol, minMatvecs, maxMatvecs } = hutchinsonPlan(fn, options);

  const rng = createRng(seed);
  const probe = new Float64Array(n);
  const samples: number[] = [];
  // Welford's running mean and sum of squared deviations, so the stopping rule costs O(1) per probe.
  let mean = 0;
  let m2 = 0;
  let converged = !adaptive;
  for (let k = 1; k <= maxMatvecs; k++) {
    fillProbe(probe, rng, distribution);
    const av = await applyOperator(fn, op, probe);
    let q = 0;
    for (let i = 0; i < n; i++) q += probe[i]! * av[i]!;
    samples.push(q);
    const delta = q - mean;
    mean += delta / k;
    m2 += delta * (q - mean);
    options.onProgress?.({ stage: fn, done: k, total: maxMatvecs });
    if (adaptive && k >= minMatvecs && Math.sqrt(m2 / (k - 1) / k) <= tol * Math.abs(mean)) {
      converged = true;
      break;
    }
  }
  const stats = meanAndStandardError(samples);
  return {
    estimate: stats.mean,
    standardError: stats.standardError,
    matvecs: samples.length,
    probeValues: Float64Array.from(samples),
    converged,
  };
}
