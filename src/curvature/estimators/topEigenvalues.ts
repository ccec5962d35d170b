import { symmetricTridiagonalEigen } from '../../linalg/symmetricTridiagonalEigen.js';
import {
  checkInteger,
  checkOptionKeys,
  checkPositive,
  checkSeed,
  type OptionKeys,
  renamedOption,
} from '../../util/options.js';
import { createRng } from '../../util/random.js';
import type { LinearOperator } from '../linearOperator.js';
import { dot, type LanczosState, lanczosStep, orthogonalizeAgainst, startLanczos } from './lanczos.js';
import { fillProbe } from './probes.js';
import type { ProgressCallback } from './stochasticEstimate.js';
import { checkOperator } from './validateOptions.js';

/**
 * Which end of the spectrum {@link topEigenvalues} looks for: the k `largest` (algebraically; the
 * sharpness λ_max that PyHessian reports), the k `smallest` (the most negative curvature of an indefinite
 * Hessian), `both` (k from each end, from the same Krylov space), or the k `largest-magnitude`.
 * `largest-algebraic` is the former name of `largest`, still accepted.
 */
export type EigenvalueOrder = 'largest' | 'smallest' | 'both' | 'largest-magnitude' | 'largest-algebraic';

const ORDERS: readonly EigenvalueOrder[] = [
  'largest',
  'smallest',
  'both',
  'largest-magnitude',
  'largest-algebraic',
];

/** Options for {@link topEigenvalues}. */
export interface TopEigenvaluesOptions {
  /** Number of eigenvalues wanted (from each end with `which: 'both'`); default 1. */
  k?: number;
  /**
   * Most Lanczos iterations (= matvecs = stored vectors); default min(dim, max(50, 2w + 30)) with w = k
   * wanted values (2k for `both`); at least w. Named as the matvec budgets of the trace estimators.
   */
  maxMatvecs?: number;
  /** @deprecated The old name of `maxMatvecs`. */
  maxIter?: number;
  /** Relative residual tolerance: stop when every wanted |β_m·s(m,i)| ≤ tol·max(|θᵢ|, ε^(2/3)·max|θ|); default 1e-6. */
  tol?: number;
  /** Seed of the random start vector; default 0. */
  seed?: number;
  /** Also return the Ritz vectors; default false. */
  vectors?: boolean;
  /** Which end of the spectrum; default `largest` (see {@link EigenvalueOrder}). */
  which?: EigenvalueOrder;
  /** Progress in iterations: (done, maxMatvecs). */
  onProgress?: ProgressCallback;
}

const OPTION_KEYS: OptionKeys<TopEigenvaluesOptions> = {
  k: true,
  maxMatvecs: true,
  maxIter: true,
  tol: true,
  seed: true,
  vectors: true,
  which: true,
  onProgress: true,
};

/** Result of {@link topEigenvalues}. */
export interface TopEigenvaluesResult {
  /**
   * The Ritz values: for `largest` the k largest, largest first; for `smallest` the k smallest, smallest
   * first; for `both` the k largest (largest first) followed by the k smallest (smallest first); for
   * `largest-magnitude` the k largest in absolute value, largest first.
   */
  values: Float64Array;
  /**
   * Residual norms ‖A·xᵢ − θᵢ·xᵢ‖ = |β_m·s(m,i)| of the Ritz pairs, which bound the distance from θᵢ to
   * the nearest eigenvalue of A (and, divided by the gap to the rest of the spectrum, its square bounds
   * it more tightly).
   */
  residualBounds: Float64Array;
  /** With `vectors: true`: the k unit Ritz vectors, each of length dim, in the order of `values`. */
  vectors?: Float64Array[];
  /** Whether every wanted residual met `tol` (or the Krylov space became the whole space). */
  converged: boolean;
  /** Lanczos iterations performed. */
  iterations: number;
  /** Matvecs spent (equal to `iterations`). */
  matvecs: number;
}

const EPS23 = Math.cbrt(Number.EPSILON) ** 2;

/**
 * The k largest, k smallest, or both, eigenvalues of a symmetric operator (and optionally eigenvectors)
 * by the Lanczos method with full reorthogonalization.
 *
 * @remarks
 * After each iteration m ≥ k the m×m tridiagonal T is diagonalized and the residual bounds
 * |β_m·s(m,i)| of the wanted Ritz values are checked against `tol`. For Hessians, `largest` gives the
 * top of the spectrum (the sharpness λ_max that PyHessian reports); a trained network's Hessian is
 * indefinite, and `smallest` gives its most negative curvature (`stationaryCovariance` needs H ≻ 0);
 * `both` gets both ends from one Krylov space, since Lanczos converges at the two ends of the spectrum
 * at once, usually for little more than the cost of one end. The operator can be any symmetric one:
 * Hessian, GGN, σ², empirical Fisher.
 *
 * When the Krylov space becomes invariant (β ≈ 0, e.g. when A has fewer distinct eigenvalues than the
 * iterations), Lanczos restarts with a random vector orthogonal to the basis, so repeated eigenvalues are
 * found with their multiplicity on small problems. On large problems a single-vector Krylov space sees
 * only one copy of an exactly repeated eigenvalue before that, so a multiple eigenvalue may be reported
 * once with the next distinct one after it; a block method would be needed to resolve that.
 *
 * Cost: at most `maxMatvecs` matvecs, O(n·maxMatvecs²) flops for the reorthogonalization and
 * `maxMatvecs + 1` stored vectors of length n (8·n·maxMatvecs bytes: mind this for large networks).
 *
 * @param op - a symmetric operator; `matvec` may be async and is always awaited.
 * @param options - k, maxMatvecs (deprecated alias maxIter), tol, seed, vectors, which, onProgress.
 * @returns the Ritz values, their residual bounds, optional Ritz vectors, convergence flag and cost.
 * @throws RangeError naming the option when an option is invalid.
 */
export async function topEigenvalues(
  op: LinearOperator,
  options: TopEigenvaluesOptions = {},
): Promise<TopEigenvaluesResult> {
  const fn = 'topEigenvalues';
  checkOptionKeys(fn, options, OPTION_KEYS, { maxIter: 'maxMatvecs' });
  const n = checkOperator(fn, op);
  const k = checkInteger(fn, 'k', options.k ?? 1, 1);
  const requested = options.which ?? 'largest';
  if (!ORDERS.includes(requested)) {
    throw new RangeError(
      `${fn}: which must be one of ${ORDERS.map((o) => `'${o}'`).join(', ')}, got ${String(requested)}`,
    );
  }
  const which: Which = requested === 'largest-algebraic' ? 'largest' : requested;
  const wantedCount = which === 'both' ? 2 * k : k;
  if (wantedCount > n) {
    throw new RangeError(
      `${fn}: k = ${k}${which === 'both' ? ' from each end' : ''} exceeds the operator dimension ${n}`,
    );
  }
  const maxIter = checkInteger(
    fn,
    'maxMatvecs',
    renamedOption<number>(fn, options, 'maxMatvecs', 'maxIter') ??
      Math.min(n, Math.max(50, 2 * wantedCount + 30)),
    1,
  );
  if (maxIter < wantedCount) {
    throw new RangeError(`${fn}: maxMatvecs (${maxIter}) must be ≥ the ${wantedCount} values wanted`);
  }
  const tol = checkPositive(fn, 'tol', options.tol ?? 1e-6);
  const rng = createRng(checkSeed(fn, options.seed));

  const state = startLanczos(fn, fillProbe(new Float64Array(n), rng, 'gaussian'));
  let converged = false;
  let iterations = 0;
  // Index of the first step of the current Krylov block (> 0 after a restart).
  let blockStart = 0;
  while (iterations < maxIter) {
    const extended = await lanczosStep(fn, op, state);
    iterations++;
    options.onProgress?.({ stage: fn, done: iterations, total: maxIter });
    if (!extended) {
      if (!restart(state, n, rng)) {
        // The basis spans the whole space (numerically): T's spectrum is A's.
        converged = true;
        break;
      }
      blockStart = state.alpha.length;
      continue;
    }
    if (iterations < wantedCount) continue;
    const wanted = ritz(state, k, which);
    const floor = EPS23 * wanted.scale;
    if (!wanted.bounds.every((b, i) => b <= tol * Math.max(Math.abs(wanted.values[i]!), floor))) continue;
    // After a restart, the finished blocks hold exact eigenvalues with zero residual, but the top of the
    // new block may still climb into the wanted set: it has to converge too.
    if (blockStart > 0 && !blockExtremesConverged(state, blockStart, which, tol, floor)) continue;
    converged = true;
    break;
  }
  const wanted = ritz(state, k, which);
  const result: TopEigenvaluesResult = {
    values: wanted.values,
    residualBounds: wanted.bounds,
    converged,
    iterations,
    matvecs: iterations,
  };
  if (options.vectors) result.vectors = ritzVectors(state, wanted, n);
  return result;
}

interface Ritz {
  values: Float64Array;
  bounds: Float64Array;
  /** Column indices of the wanted pairs in the eigenvector matrix `s` of T. */
  columns: number[];
  /** T's eigenvectors, m×m row-major. */
  s: Float64Array;
  m: number;
  /** max |θ| over all Ritz values. */
  scale: number;
}

/**
 * Diagonalizes T and picks the k wanted Ritz pairs. When m \< k (the whole space is smaller than the
 * restarted basis could grow), all m are returned.
 */
function ritz(state: LanczosState, k: number, which: Which): Ritz {
  const m = state.alpha.length;
  const { values, vectors } = symmetricTridiagonalEigen(
    Float64Array.from(state.alpha),
    Float64Array.from(state.beta.slice(0, m - 1)),
    { vectors: true },
  );
  const s = vectors!;
  const columns = wantedColumns(values, k, which);
  const lastBeta = state.beta[m - 1]!;
  let scale = 0;
  for (const v of values) scale = Math.max(scale, Math.abs(v));
  return {
    values: Float64Array.from(columns, (c) => values[c]!),
    bounds: Float64Array.from(columns, (c) => Math.abs(lastBeta * s[(m - 1) * m + c]!)),
    columns,
    s,
    m,
    scale,
  };
}

/**
 * After a breakdown, continues the basis with a random unit vector orthogonal to it (T gets a zero
 * coupling, i.e. a new block). Returns false when nothing orthogonal is left.
 */
function restart(state: LanczosState, n: number, rng: ReturnType<typeof createRng>): boolean {
  if (state.basis.length >= n) return false;
  const v = fillProbe(new Float64Array(n), rng, 'gaussian');
  const before = Math.sqrt(dot(v, v));
  orthogonalizeAgainst(state.basis, v, 2);
  const norm = Math.sqrt(dot(v, v));
  // Nothing left when the random vector lies (numerically) in the span of the basis.
  if (!(norm > 1e-8 * before)) return false;
  for (let i = 0; i < n; i++) v[i] = v[i]! / norm;
  state.basis.push(v);
  return true;
}

/** Whether the extreme Ritz values of the current block (from `start`) meet the residual tolerance. */
function blockExtremesConverged(
  state: LanczosState,
  start: number,
  which: Which,
  tol: number,
  floor: number,
): boolean {
  const m = state.alpha.length;
  const size = m - start;
  const { values, vectors } = symmetricTridiagonalEigen(
    Float64Array.from(state.alpha.slice(start)),
    Float64Array.from(state.beta.slice(start, m - 1)),
    { vectors: true },
  );
  const lastBeta = state.beta[m - 1]!;
  const ok = (c: number) =>
    Math.abs(lastBeta * vectors![(size - 1) * size + c]!) <= tol * Math.max(Math.abs(values[c]!), floor);
  return (which === 'smallest' || ok(size - 1)) && (which === 'largest' || ok(0));
}

/** The resolved {@link EigenvalueOrder} (without the old alias). */
type Which = Exclude<EigenvalueOrder, 'largest-algebraic'>;

/**
 * Column indices (into T's ascending eigenvalues) of the wanted Ritz values in result order. When the
 * basis is smaller than what is wanted (the whole space is small), every value is returned once.
 */
function wantedColumns(values: Float64Array, k: number, which: Which): number[] {
  const m = values.length;
  const descending = Array.from({ length: m }, (_, i) => m - 1 - i);
  const ascending = Array.from({ length: m }, (_, i) => i);
  switch (which) {
    case 'largest':
      return descending.slice(0, Math.min(k, m));
    case 'smallest':
      return ascending.slice(0, Math.min(k, m));
    case 'both': {
      const top = descending.slice(0, Math.min(k, m));
      return [...top, ...ascending.slice(0, Math.min(k, m - top.length))];
    }
    case 'largest-magnitude':
      return descending.sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!)).slice(0, Math.min(k, m));
  }
}

function ritzVectors(state: LanczosState, wanted: Ritz, n: number): Float64Array[] {
  const { s, m, columns } = wanted;
  return columns.map((c) => {
    const x = new Float64Array(n);
    for (let j = 0; j < m; j++) {
      const coef = s[j * m + c]!;
      const vj = state.basis[j]!;
      for (let i = 0; i < n; i++) x[i] = x[i]! + coef * vj[i]!;
    }
    return x;
  });
}
