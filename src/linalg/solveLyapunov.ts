import { fromSizedMatrix, type MatrixLike, toSizedMatrix } from './matrixLike.js';
import { matmul, matmulTransposeB, transpose } from './matrixMultiply.js';
import { realSchur } from './realSchur.js';
import { symmetryDefect } from './symmetricEigen.js';

const EPS = 2 ** -52;

/**
 * Solves the continuous Lyapunov equation **A X + X Aᵀ = Q** for any real square A whose eigenvalues
 * satisfy λᵢ + λⱼ ≠ 0 for all i, j (e.g. every stable A), by the Bartels–Stewart method on a real
 * Schur form A = U T Uᵀ (Hessenberg reduction + Francis double-shift QR).
 *
 * @remarks
 * Sign convention (the same as SciPy's `solve_continuous_lyapunov(a, q)`): the equation is
 * A X + X Aᵀ = Q with a plus sign on Q. The stationary covariance Γ of the Ornstein–Uhlenbeck process
 * dV = −A V dt + B dW, whose drift −A is stable (all eigenvalues of A have positive real part), solves
 * A Γ + Γ Aᵀ = B Bᵀ, so pass A and Q = B Bᵀ. For a process written with its drift matrix D
 * (dV = D V dt + B dW, D Hurwitz), pass A = −D (or D with −BBᵀ). Eq. (11) of Luo & Wang (2021),
 * ΓH + HΓ = σ², is the case A = H, Q = σ²; for symmetric H the eigendecomposition route
 * (`stationaryCovariance`) is faster. The non-symmetric case arises e.g. for SGD with momentum,
 * whose linearized drift on (θ, velocity) is not symmetric.
 *
 * With Y = Uᵀ X U and C = Uᵀ Q U the equation becomes T Y + Y Tᵀ = C, solved one column block of Y at a
 * time from the last, each by back-substitution over T's 1×1 and 2×2 diagonal blocks. When Q is
 * symmetric the result is symmetrized (its exact value is symmetric).
 *
 * @param a - the coefficient matrix A (n×n): rows, `{ data, size }` (row-major) or a mathjs matrix.
 * @param q - the right-hand side Q (n×n), in any of those forms.
 * @returns X, in the same form as `a`.
 * @throws RangeError for mismatched sizes or non-finite entries; Error when λᵢ(A) + λⱼ(A) is zero to
 *   working precision for some i, j (no unique solution).
 */
export function solveLyapunov<T extends MatrixLike>(a: T, q: MatrixLike): T {
  const A = toSizedMatrix(a, 'solveLyapunov: A');
  const Q = toSizedMatrix(q, 'solveLyapunov: Q');
  if (A.size !== Q.size) {
    throw new RangeError(`solveLyapunov: A is ${A.size}×${A.size} but Q is ${Q.size}×${Q.size}`);
  }
  const x = solveLyapunovDense(A.data, Q.data, A.size);
  return fromSizedMatrix({ data: x, size: A.size }, a);
}

/**
 * {@link solveLyapunov} on row-major float64 data: returns X with A X + X Aᵀ = Q (inputs not modified).
 *
 * @param a - row-major n×n A.
 * @param q - row-major n×n Q.
 * @param n - the size.
 */
export function solveLyapunovDense(a: Float64Array, q: Float64Array, n: number): Float64Array {
  if (a.length !== n * n || q.length !== n * n) {
    throw new RangeError(
      `solveLyapunovDense: expected two arrays of length ${n}², got ${a.length} and ${q.length}`,
    );
  }
  const { t, u } = realSchur(a, n);
  const ut = transpose(u, n, n);
  const symmetricQ = symmetryDefect(q, n) === 0;
  // C = Uᵀ Q U = Uᵀ (U ᵀ Qᵀ)ᵀ: with Qᵀ U computed as (Uᵀ Q)ᵀ.
  const utq = matmul(ut, q, n, n, n);
  const c = matmulTransposeB(utq, ut, n, n, n, symmetricQ);
  const y = solveQuasiTriangularLyapunov(t, c, n);
  // X = U Y Uᵀ.
  const uy = matmul(u, y, n, n, n);
  const x = matmulTransposeB(uy, u, n, n, n, symmetricQ);
  return x;
}

/**
 * Solves T Y + Y Tᵀ = C for quasi-upper-triangular T (real Schur form: 1×1 and 2×2 diagonal blocks,
 * a 2×2 block starting at i exactly where T[i+1][i] ≠ 0).
 *
 * @remarks
 * Column block J of Y (from the last) satisfies T Y_J + Y_J T_JJᵀ = C_J − Σ_{L>J} Y_L T_JLᵀ; it is
 * found by back-substitution over the row blocks I, each a 1×1 … 4×4 Kronecker system
 * T_II Y_IJ + Y_IJ T_JJᵀ = R_IJ solved by Gaussian elimination with partial pivoting. Y is kept
 * transposed during the solve (its columns as contiguous rows).
 *
 * @param t - row-major quasi-upper-triangular n×n T.
 * @param c - row-major n×n right-hand side.
 * @param n - the size.
 * @returns Y (row-major).
 */
export function solveQuasiTriangularLyapunov(t: Float64Array, c: Float64Array, n: number): Float64Array {
  let normT = 0;
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let j = Math.max(i - 1, 0); j < n; j++) rowSum += Math.abs(t[i * n + j]!);
    normT = Math.max(normT, rowSum);
  }
  // Pivots below this mean λᵢ + λⱼ ≈ 0 relative to ‖T‖: the equation has no unique solution.
  const tiny = Math.max(64 * EPS * normT, Number.MIN_VALUE);
  // Block starts and sizes.
  const starts: number[] = [];
  for (let i = 0; i < n; ) {
    starts.push(i);
    i += i + 1 < n && t[(i + 1) * n + i] !== 0 ? 2 : 1;
  }
  const blockSize = (b: number): number => (b + 1 < starts.length ? starts[b + 1]! : n) - starts[b]!;
  // yt row j = column j of Y; rt the right-hand side for the current column block, likewise transposed.
  const yt = new Float64Array(n * n);
  const ct = transpose(c, n, n);
  const m = new Float64Array(16);
  const rhs = new Float64Array(4);
  for (let jb = starts.length - 1; jb >= 0; jb--) {
    const j0 = starts[jb]!;
    const q = blockSize(jb);
    // R_J = C_J − Σ_{l ≥ j0+q} Y_l T[j][l]: rows of ct minus combinations of later rows of yt.
    for (let jj = j0; jj < j0 + q; jj++) {
      const rj = jj * n;
      const tj = jj * n;
      for (let l = j0 + q; l < n; l++) {
        const f = t[tj + l]!;
        if (f === 0) continue;
        const rl = l * n;
        for (let i = 0; i < n; i++) ct[rj + i] = ct[rj + i]! - f * yt[rl + i]!;
      }
    }
    for (let ib = starts.length - 1; ib >= 0; ib--) {
      const i0 = starts[ib]!;
      const p = blockSize(ib);
      // R_IJ − Σ_{k ≥ i0+p} T[i][k] Y[k][j], then the small Kronecker system.
      for (let a = 0; a < p; a++) {
        const ti = (i0 + a) * n;
        for (let b = 0; b < q; b++) {
          const yj = (j0 + b) * n;
          let s = ct[yj + i0 + a]!;
          for (let k = i0 + p; k < n; k++) s -= t[ti + k]! * yt[yj + k]!;
          rhs[a * q + b] = s;
        }
      }
      const dim = p * q;
      // M[(a,b),(c,d)] = T_II[a][c] δ_bd + δ_ac T_JJ[b][d].
      m.fill(0);
      for (let a = 0; a < p; a++) {
        for (let b = 0; b < q; b++) {
          const row = (a * q + b) * dim;
          for (let cc = 0; cc < p; cc++)
            m[row + cc * q + b] = m[row + cc * q + b]! + t[(i0 + a) * n + i0 + cc]!;
          for (let d = 0; d < q; d++) m[row + a * q + d] = m[row + a * q + d]! + t[(j0 + b) * n + j0 + d]!;
        }
      }
      solveSmall(m, rhs, dim, tiny);
      for (let a = 0; a < p; a++) for (let b = 0; b < q; b++) yt[(j0 + b) * n + i0 + a] = rhs[a * q + b]!;
    }
  }
  return transpose(yt, n, n);
}

/** Gaussian elimination with partial pivoting on a dim×dim system (dim ≤ 4), in place; x → rhs. */
function solveSmall(m: Float64Array, rhs: Float64Array, dim: number, tiny: number): void {
  for (let col = 0; col < dim; col++) {
    let piv = col;
    for (let r = col + 1; r < dim; r++)
      if (Math.abs(m[r * dim + col]!) > Math.abs(m[piv * dim + col]!)) piv = r;
    if (Math.abs(m[piv * dim + col]!) <= tiny) {
      throw new Error(
        'solveLyapunov: A has eigenvalues λᵢ, λⱼ with λᵢ + λⱼ = 0 to working precision, so A X + X Aᵀ = Q has no unique solution (A must have no eigenvalue pair summing to zero, e.g. be stable)',
      );
    }
    if (piv !== col) {
      for (let k = 0; k < dim; k++) {
        const tmp = m[col * dim + k]!;
        m[col * dim + k] = m[piv * dim + k]!;
        m[piv * dim + k] = tmp;
      }
      const tmp = rhs[col]!;
      rhs[col] = rhs[piv]!;
      rhs[piv] = tmp;
    }
    const d = m[col * dim + col]!;
    for (let r = col + 1; r < dim; r++) {
      const f = m[r * dim + col]! / d;
      if (f === 0) continue;
      for (let k = col; k < dim; k++) m[r * dim + k] = m[r * dim + k]! - f * m[col * dim + k]!;
      rhs[r] = rhs[r]! - f * rhs[col]!;
    }
  }
  for (let r = dim - 1; r >= 0; r--) {
    let s = rhs[r]!;
    for (let k = r + 1; k < dim; k++) s -= m[r * dim + k]! * rhs[k]!;
    rhs[r] = s / m[r * dim + r]!;
  }
}
