import type { LinearOperator } from '../linearOperator.js';
import { applyOperator } from './applyOperator.js';

/**
 * State of a Lanczos run with full reorthogonalization: the orthonormal basis V and the tridiagonal
 * T = VᵀAV (diagonal `alpha`, couplings `beta`; `beta[j]` couples steps j and j+1, and the last entry
 * is the norm of the current residual, the β_m of the residual bounds |β_m·s(m,i)|).
 */
export interface LanczosState {
  /** Orthonormal Lanczos vectors v₀, v₁, … (one more than `alpha` while the run can continue). */
  basis: Float64Array[];
  /** Diagonal of T: αⱼ = vⱼᵀAvⱼ. */
  alpha: number[];
  /** Couplings βⱼ = ‖residual after step j‖; 0 marks a breakdown (a new block after a restart). */
  beta: number[];
  /** Largest ‖A·v‖ seen: a lower bound on ‖A‖ that sets the scale of the breakdown test. */
  scale: number;
}

/** Relative size of a residual below which the Krylov space counts as invariant (a breakdown). */
export const BREAKDOWN = 1e-11;

/** Starts a Lanczos state from a vector (normalized here; not modified). Throws if it is zero. */
export function startLanczos(fn: string, start: Float64Array): LanczosState {
  const v = Float64Array.from(start);
  const norm = Math.sqrt(dot(v, v));
  if (!(norm > 0) || !Number.isFinite(norm)) throw new Error(`${fn}: start vector has norm ${norm}`);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return { basis: [v], alpha: [], beta: [], scale: 0 };
}

/**
 * One Lanczos step: applies A to the newest basis vector, appends α and β, and — unless the residual
 * vanishes (a breakdown, returned as `false` with the basis unchanged) — appends the next basis vector.
 *
 * @remarks
 * Full reorthogonalization (two classical Gram–Schmidt passes against the whole basis, "twice is
 * enough") keeps V orthonormal to machine precision, so T has no spurious copies of converged Ritz
 * values; it costs O(n·j) per step and j stored vectors, which is small next to a Hessian–vector product.
 */
export async function lanczosStep(fn: string, op: LinearOperator, state: LanczosState): Promise<boolean> {
  const { basis, alpha, beta } = state;
  const j = alpha.length;
  const v = basis[j]!;
  const av = await applyOperator(fn, op, v);
  const w = Float64Array.from(av);
  state.scale = Math.max(state.scale, Math.sqrt(dot(w, w)));
  const a = dot(v, w);
  alpha.push(a);
  axpy(-a, v, w);
  if (j > 0) axpy(-beta[j - 1]!, basis[j - 1]!, w);
  orthogonalizeAgainst(basis, w, 2);
  const b = Math.sqrt(dot(w, w));
  beta.push(b);
  if (!(b > BREAKDOWN * state.scale)) {
    beta[j] = 0;
    return false;
  }
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / b;
  basis.push(w);
  return true;
}

/** w ← w − V·(Vᵀw), repeated `passes` times (classical Gram–Schmidt against all basis vectors). */
export function orthogonalizeAgainst(basis: Float64Array[], w: Float64Array, passes: number): void {
  const coef = new Float64Array(basis.length);
  for (let pass = 0; pass < passes; pass++) {
    for (let k = 0; k < basis.length; k++) coef[k] = dot(basis[k]!, w);
    for (let k = 0; k < basis.length; k++) axpy(-coef[k]!, basis[k]!, w);
  }
}

/** x·y for equal-length vectors. */
export function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}

/** y ← y + a·x. */
export function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] = y[i]! + a * x[i]!;
}
