import { cholesky, choleskySolve } from './cholesky.js';
import { luFactor, luInverse } from './lu.js';
import {
  fromSizedMatrix,
  type MatrixLike,
  type RectangularMatrixLike,
  toRectangularMatrix,
  toSizedMatrix,
} from './matrixLike.js';
import { matmul, transpose } from './matrixMultiply.js';
import { thinQR } from './qr.js';
import { realSchur } from './realSchur.js';
import { solveLyapunovDense } from './solveLyapunov.js';
import { symmetryDefect } from './symmetricEigen.js';

const EPS = 2 ** -52;
const MAX_SIGN_ITERATIONS = 100;
const MAX_NEWTON_STEPS = 6;
/** Relative asymmetry accepted in Q and R (rounding in how a caller formed them), larger is an error. */
const SYMMETRY_TOLERANCE = 1e-10;

/**
 * Solves the continuous algebraic Riccati equation **AᵀX + XA − XBR⁻¹BᵀX + Q = 0** for its stabilizing
 * solution: the symmetric X for which A − BR⁻¹BᵀX is stable (all eigenvalues in the open left half-plane).
 *
 * @remarks
 * The equation and argument order are SciPy's `solve_continuous_are(a, b, q, r)`; the input forms, the
 * result form (that of `a`) and the error types are those of {@link solveLyapunov}. A stabilizing
 * solution exists (and is unique) when (A, B) is stabilizable, R ≻ 0 and the Hamiltonian below has no
 * eigenvalue on the imaginary axis (e.g. Q ⪰ 0 with (Q, A) detectable).
 *
 * Method, all in float64: with G = BR⁻¹Bᵀ the Hamiltonian Z = [[A, −G], [−Q, −Aᵀ]] has the stable
 * invariant subspace spanned by [I; X]. The matrix sign function W = sign(Z) (Newton's iteration
 * Z ← (cZ + (cZ)⁻¹)/2 with determinant scaling c = |det Z|^(−1/2n)) projects onto it: (W + I)[I; X] = 0,
 * an overdetermined 2n×n system solved by Householder QR. A few Newton–Kleinman steps then polish X to a
 * residual at rounding level: each solves the Lyapunov equation
 * (A − GXₖ)ᵀXₖ₊₁ + Xₖ₊₁(A − GXₖ) = −(Q + XₖGXₖ) ({@link solveLyapunovDense}). Cost O(n³) per sign
 * iteration (typically 8–15) and per Newton step.
 *
 * With B = 0 the equation is the Lyapunov equation AᵀX + XA + Q = 0, whose solution is stabilizing when A
 * is stable. For SGD theory see docs/theory.md: the stationary covariance Γ(∞) needs only the Lyapunov
 * equation; the Riccati equation is the steady state of a Kalman–Bucy filter or of an optimally controlled
 * linearized dynamics.
 *
 * @param a - A (n×n): rows, `{ data, size }` (row-major) or a mathjs matrix.
 * @param b - B (n×m): rows, `{ data, rows, cols }`, `{ data, size }` or a mathjs matrix.
 * @param q - Q (n×n), symmetric.
 * @param r - R (m×m), symmetric positive definite.
 * @returns the stabilizing X (symmetric), in the same form as `a`.
 * @throws RangeError for mismatched sizes, non-finite entries, a non-symmetric Q or R, or R not positive
 *   definite; Error when no stabilizing solution exists (the Hamiltonian has eigenvalues on or near the
 *   imaginary axis, or (A, B) is not stabilizable).
 */
export function solveContinuousRiccati<T extends MatrixLike>(
  a: T,
  b: RectangularMatrixLike,
  q: MatrixLike,
  r: MatrixLike,
): T {
  const fn = 'solveContinuousRiccati';
  const A = toSizedMatrix(a, `${fn}: A`);
  const B = toRectangularMatrix(b, `${fn}: B`);
  const Q = toSizedMatrix(q, `${fn}: Q`);
  const R = toSizedMatrix(r, `${fn}: R`);
  const n = A.size;
  if (B.rows !== n) throw new RangeError(`${fn}: A is ${n}×${n} but B has ${B.rows} rows (expected ${n})`);
  if (Q.size !== n) throw new RangeError(`${fn}: A is ${n}×${n} but Q is ${Q.size}×${Q.size}`);
  if (R.size !== B.cols) {
    throw new RangeError(
      `${fn}: B has ${B.cols} columns but R is ${R.size}×${R.size} (expected ${B.cols}×${B.cols})`,
    );
  }
  const x = solveContinuousRiccatiDense(A.data, B.data, Q.data, R.data, n, B.cols);
  return fromSizedMatrix({ data: x, size: n }, a);
}

/**
 * {@link solveContinuousRiccati} on row-major float64 data (inputs not modified).
 *
 * @param a - row-major n×n A.
 * @param b - row-major n×m B.
 * @param q - row-major n×n symmetric Q.
 * @param r - row-major m×m symmetric positive definite R.
 * @param n - the state dimension.
 * @param m - the input dimension.
 */
export function solveContinuousRiccatiDense(
  a: Float64Array,
  b: Float64Array,
  q: Float64Array,
  r: Float64Array,
  n: number,
  m: number,
): Float64Array {
  const fn = 'solveContinuousRiccati';
  if (a.length !== n * n || b.length !== n * m || q.length !== n * n || r.length !== m * m) {
    throw new RangeError(
      `${fn}: expected A ${n}×${n}, B ${n}×${m}, Q ${n}×${n}, R ${m}×${m}; got lengths ${a.length}, ${b.length}, ${q.length}, ${r.length}`,
    );
  }
  for (const [name, mat, size] of [
    ['Q', q, n],
    ['R', r, m],
  ] as const) {
    const defect = symmetryDefect(mat, size);
    if (defect > SYMMETRY_TOLERANCE) {
      throw new RangeError(
        `${fn}: ${name} must be symmetric (relative asymmetry ${defect.toExponential(2)})`,
      );
    }
  }
  const g = inputWeight(b, r, n, m);
  const z = hamiltonian(a, g, q, n);
  const w = matrixSign(z, 2 * n);
  let x = stableSubspaceGraph(w, n);
  x = newtonKleinman(a, g, q, x, n);
  const closedLoop = Float64Array.from(a);
  const gx = matmul(g, x, n, n, n);
  for (let k = 0; k < n * n; k++) closedLoop[k] = closedLoop[k]! - gx[k]!;
  const { real } = realSchur(closedLoop, n);
  const worst = Math.max(...real);
  if (!(worst < 0)) {
    throw new Error(
      `${fn}: no stabilizing solution: A − BR⁻¹BᵀX has an eigenvalue with real part ${worst.toExponential(3)} ≥ 0 ((A, B) must be stabilizable and the Hamiltonian free of imaginary-axis eigenvalues)`,
    );
  }
  return x;
}

/** G = B R⁻¹ Bᵀ (n×n, exactly symmetric), via the Cholesky factor of R. */
function inputWeight(b: Float64Array, r: Float64Array, n: number, m: number): Float64Array {
  let l: Float64Array;
  try {
    l = cholesky(r, m);
  } catch (error) {
    throw new RangeError(`solveContinuousRiccati: R must be positive definite (${(error as Error).message})`);
  }
  // Column j of R⁻¹Bᵀ is R⁻¹ times row j of B.
  const rInvBt = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    const col = choleskySolve(l, b.subarray(j * m, (j + 1) * m));
    for (let i = 0; i < m; i++) rInvBt[i * n + j] = col[i]!;
  }
  const g = matmul(b, rInvBt, n, m, n);
  symmetrize(g, n);
  return g;
}

/** Z = [[A, −G], [−Q, −Aᵀ]] (2n×2n row-major). */
function hamiltonian(a: Float64Array, g: Float64Array, q: Float64Array, n: number): Float64Array {
  const N = 2 * n;
  const z = new Float64Array(N * N);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      z[i * N + j] = a[i * n + j]!;
      z[i * N + n + j] = -g[i * n + j]!;
      z[(n + i) * N + j] = -q[i * n + j]!;
      z[(n + i) * N + n + j] = -a[j * n + i]!;
    }
  }
  return z;
}

/**
 * sign(Z) by the scaled Newton iteration. Stops when the relative change is at rounding level, or when it
 * stops decreasing once small (rounding noise); the Newton–Kleinman polish recovers full accuracy.
 *
 * @throws Error when Z is (nearly) singular or the iteration does not converge: Z has eigenvalues on or
 *   near the imaginary axis.
 */
function matrixSign(z0: Float64Array, size: number): Float64Array {
  let z = z0;
  let previousChange = Number.POSITIVE_INFINITY;
  for (let iteration = 0; iteration < MAX_SIGN_ITERATIONS; iteration++) {
    const factor = luFactor(z, size);
    if (!(factor.relativePivot > 64 * EPS)) {
      throw new Error(
        'solveContinuousRiccati: no stabilizing solution: the Hamiltonian [[A, −BR⁻¹Bᵀ], [−Q, −Aᵀ]] is singular to working precision (an eigenvalue on the imaginary axis)',
      );
    }
    const inverse = luInverse(factor);
    // Determinant scaling while far from convergence; unscaled steps converge quadratically at the end.
    const c = previousChange > 1e-2 ? Math.exp(-factor.logAbsDeterminant / size) : 1;
    const next = new Float64Array(size * size);
    let change = 0;
    let norm = 0;
    for (let k = 0; k < next.length; k++) {
      next[k] = 0.5 * (c * z[k]! + inverse[k]! / c);
      change += Math.abs(next[k]! - z[k]!);
      norm += Math.abs(next[k]!);
    }
    const relative = change / norm;
    z = next;
    if (relative <= 1e3 * size * EPS || (relative < 1e-6 && relative >= previousChange)) return z;
    previousChange = relative;
  }
  throw new Error(
    `solveContinuousRiccati: no stabilizing solution: the matrix-sign iteration on the Hamiltonian did not converge in ${MAX_SIGN_ITERATIONS} steps (eigenvalues on or near the imaginary axis)`,
  );
}

/** X from (W + I)[I; X] = 0, i.e. [W₁₂; W₂₂ + I] X = −[W₁₁ + I; W₂₁], by least squares (Householder QR). */
function stableSubspaceGraph(w: Float64Array, n: number): Float64Array {
  const N = 2 * n;
  const lhs = new Float64Array(N * n);
  const rhs = new Float64Array(N * n);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < n; j++) {
      lhs[i * n + j] = w[i * N + n + j]! + (i === n + j ? 1 : 0);
      rhs[i * n + j] = -(w[i * N + j]! + (i === j ? 1 : 0));
    }
  }
  const { q, r } = thinQR(lhs, N, n, { layout: 'row-major' });
  let rMax = 0;
  for (let i = 0; i < n; i++) rMax = Math.max(rMax, Math.abs(r[i * n + i]!));
  // Q₁ᵀ·rhs, then back substitution with R.
  const x = matmul(transpose(q, N, n), rhs, n, N, n);
  for (let i = n - 1; i >= 0; i--) {
    const d = r[i * n + i]!;
    if (!(Math.abs(d) > 1e3 * N * EPS * rMax)) {
      throw new Error(
        'solveContinuousRiccati: no stabilizing solution: the stable invariant subspace of the Hamiltonian is not of the form [I; X] ((A, B) is not stabilizable or (Q, A) has an unobservable mode on the imaginary axis)',
      );
    }
    for (let j = 0; j < n; j++) {
      let s = x[i * n + j]!;
      for (let k = i + 1; k < n; k++) s -= r[i * n + k]! * x[k * n + j]!;
      x[i * n + j] = s / d;
    }
  }
  symmetrize(x, n);
  return x;
}

/** Newton–Kleinman steps from X while they reduce the residual's Frobenius norm (X stays stabilizing). */
function newtonKleinman(
  a: Float64Array,
  g: Float64Array,
  q: Float64Array,
  x0: Float64Array,
  n: number,
): Float64Array {
  let x = x0;
  let residual = riccatiResidualNorm(a, g, q, x, n);
  for (let step = 0; step < MAX_NEWTON_STEPS && residual > 0; step++) {
    const gx = matmul(g, x, n, n, n);
    // Lyapunov form M Y + Y Mᵀ = C with M = (A − GX)ᵀ and C = −(Q + XGX).
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = a[j * n + i]! - gx[j * n + i]!;
    const xgx = matmul(x, gx, n, n, n);
    const c = new Float64Array(n * n);
    for (let k = 0; k < n * n; k++) c[k] = -(q[k]! + xgx[k]!);
    symmetrize(c, n);
    let next: Float64Array;
    try {
      next = solveLyapunovDense(m, c, n);
    } catch {
      break; // A − GX nearly singular in the Lyapunov sense: keep the sign-function solution.
    }
    symmetrize(next, n);
    const nextResidual = riccatiResidualNorm(a, g, q, next, n);
    if (!(nextResidual < residual)) break;
    x = next;
    residual = nextResidual;
  }
  return x;
}

/** ‖AᵀX + XA − XGX + Q‖_F. */
function riccatiResidualNorm(
  a: Float64Array,
  g: Float64Array,
  q: Float64Array,
  x: Float64Array,
  n: number,
): number {
  const xa = matmul(x, a, n, n, n);
  const xgx = matmul(x, matmul(g, x, n, n, n), n, n, n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = xa[j * n + i]! + xa[i * n + j]! - xgx[i * n + j]! + q[i * n + j]!;
      s += v * v;
    }
  }
  return Math.sqrt(s);
}

/** Replaces a square matrix by (M + Mᵀ)/2 in place. */
function symmetrize(mat: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (mat[i * n + j]! + mat[j * n + i]!);
      mat[i * n + j] = v;
      mat[j * n + i] = v;
    }
  }
}
