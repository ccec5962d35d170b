import { createRng } from '../../util/random.js';
import type { LinearOperator } from '../linearOperator.js';
import { applyOperator } from './applyOperator.js';
import { checkDistribution, fillProbe, type ProbeDistribution } from './probes.js';
import type { ProgressCallback } from './stochasticEstimate.js';
import { checkInteger, checkOperator, checkSeed } from './validateOptions.js';

/** Options for {@link hutchinsonDiagonal}. */
export interface HutchinsonDiagonalOptions {
  /** Number of probes (= matvecs); default 100, at least 2 (for standard errors). */
  probes?: number;
  /** Probe distribution; default `'rademacher'` (see below). */
  distribution?: ProbeDistribution;
  /** Seed of the probe stream; default 0. */
  seed?: number;
  /** Progress in probes: (done, probes). */
  onProgress?: ProgressCallback;
}

/** Result of {@link hutchinsonDiagonal}. */
export interface DiagonalEstimate {
  /** The estimated diagonal a_ii, length `op.dim`. */
  diagonal: Float64Array;
  /** Per entry: sample standard deviation of vᵢ(Av)ᵢ over the probes / √probes. */
  standardErrors: Float64Array;
  /** Matvecs spent (= probes). */
  matvecs: number;
}

/**
 * Hutchinson-style (Bekas–Kokiopoulou–Saad) diagonal estimator: diag(A) ≈ (1/k)·Σ v ⊙ Av over k random
 * probes v, with a standard error per entry.
 *
 * @remarks
 * Unbiased for any square operator. With Rademacher probes vᵢ² = 1, so vᵢ(Av)ᵢ = a_ii + Σ_{j≠i} a_ij vᵢvⱼ
 * has variance Σ_{j≠i} a_ij² per probe: the error of an entry is the norm of the rest of its row over √k,
 * and a diagonal matrix is recovered exactly from one probe. Gaussian probes add 2a_ii² to that variance
 * (and divide nothing out), so Rademacher is the default. The relative error is poor for entries small
 * compared with their row (typical of network Hessians, whose rows are dominated by off-diagonal
 * entries): check `standardErrors`. The per-entry errors are correlated across entries, so sum
 * {@link blockTraces} samples rather than these errors to get a block trace's error.
 *
 * Cost: one matvec per probe; memory: four vectors of length `op.dim`.
 *
 * @param op - the operator (Hessian, GGN, σ², empirical Fisher, …).
 * @param options - probes, distribution, seed, onProgress.
 * @throws RangeError naming the option when an option is invalid.
 */
export async function hutchinsonDiagonal(
  op: LinearOperator,
  options: HutchinsonDiagonalOptions = {},
): Promise<DiagonalEstimate> {
  const fn = 'hutchinsonDiagonal';
  const n = checkOperator(fn, op);
  const probes = checkInteger(fn, 'probes', options.probes ?? 100, 2);
  const distribution = checkDistribution(fn, options.distribution);
  const rng = createRng(checkSeed(fn, options.seed));
  const probe = new Float64Array(n);
  // Welford's running mean and sum of squared deviations per entry.
  const mean = new Float64Array(n);
  const m2 = new Float64Array(n);
  for (let k = 1; k <= probes; k++) {
    fillProbe(probe, rng, distribution);
    const av = await applyOperator(fn, op, probe);
    for (let i = 0; i < n; i++) {
      const x = probe[i]! * av[i]!;
      const delta = x - mean[i]!;
      mean[i] = mean[i]! + delta / k;
      m2[i] = m2[i]! + delta * (x - mean[i]!);
    }
    options.onProgress?.({ stage: 'hutchinsonDiagonal', done: k, total: probes });
  }
  const standardErrors = m2.map((s) => Math.sqrt(s / (probes - 1) / probes));
  return { diagonal: mean, standardErrors, matvecs: probes };
}
