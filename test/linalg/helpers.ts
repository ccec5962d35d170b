// Shared float64 helpers for the linalg and theory tests: independent of the code under test.
import type { Rng } from '../../src/util/random.js';

/** A random orthogonal n×n matrix (row-major): a product of n Householder reflections of Gaussian vectors. */
export function randomOrthogonal(n: number, rng: Rng): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let r = 0; r < n; r++) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    let vv = 0;
    for (const x of v) vv += x * x;
    // q ← q (I − 2 v vᵀ / vᵀv)
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k]! * v[k]!;
      for (let k = 0; k < n; k++) q[i * n + k] = q[i * n + k]! - (2 * s * v[k]!) / vv;
    }
  }
  return q;
}

/** Naive triple-loop product, the oracle for the optimized kernels. */
export function naiveMatmul(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * m + j]!;
      c[i * m + j] = s;
    }
  }
  return c;
}

export function naiveTranspose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
  return t;
}

/** Q diag(values) Qᵀ. */
export function withSpectrum(q: Float64Array, values: ArrayLike<number>, n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k]! * values[k]! * q[j * n + k]!;
      a[i * n + j] = s;
    }
  }
  return a;
}

export function randomMatrix(n: number, m: number, rng: Rng, scale = 1): Float64Array {
  return Float64Array.from({ length: n * m }, () => scale * rng.normal());
}

/** B Bᵀ + shift·I for a random B: a random symmetric positive (semi)definite matrix. */
export function randomSpd(n: number, rng: Rng, shift = 0): Float64Array {
  const b = randomMatrix(n, n, rng, 1 / Math.sqrt(n));
  const a = naiveMatmul(b, naiveTranspose(b, n, n), n, n, n);
  for (let i = 0; i < n; i++) a[i * n + i] = a[i * n + i]! + shift;
  return a;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function frobenius(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/** ‖A X + X Aᵀ − Q‖_F / ‖Q‖_F, computed with the naive product. */
export function lyapunovResidual(a: Float64Array, x: Float64Array, q: Float64Array, n: number): number {
  const ax = naiveMatmul(a, x, n, n, n);
  const xat = naiveMatmul(x, naiveTranspose(a, n, n), n, n, n);
  let r = 0;
  for (let k = 0; k < n * n; k++) r += (ax[k]! + xat[k]! - q[k]!) ** 2;
  return Math.sqrt(r) / frobenius(q);
}

/**
 * Solves A X + X Aᵀ = Q through the n²×n² Kronecker system (I⊗A + A⊗I) vec X = vec Q by Gaussian
 * elimination with partial pivoting: slow but independent of Schur forms, for n ≤ 8.
 */
export function kroneckerLyapunov(a: Float64Array, q: Float64Array, n: number): Float64Array {
  const N = n * n;
  const m = new Float64Array(N * N);
  const rhs = Float64Array.from(q);
  // Unknown X[i][j] at index i*n+j; equation (i,j): Σ_k A[i][k] X[k][j] + Σ_k X[i][k] A[j][k] = Q[i][j].
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const row = (i * n + j) * N;
      for (let k = 0; k < n; k++) {
        m[row + k * n + j] = m[row + k * n + j]! + a[i * n + k]!;
        m[row + i * n + k] = m[row + i * n + k]! + a[j * n + k]!;
      }
    }
  }
  for (let c = 0; c < N; c++) {
    let p = c;
    for (let r = c + 1; r < N; r++) if (Math.abs(m[r * N + c]!) > Math.abs(m[p * N + c]!)) p = r;
    for (let k = 0; k < N; k++) {
      const t = m[c * N + k]!;
      m[c * N + k] = m[p * N + k]!;
      m[p * N + k] = t;
    }
    const t = rhs[c]!;
    rhs[c] = rhs[p]!;
    rhs[p] = t;
    for (let r = c + 1; r < N; r++) {
      const f = m[r * N + c]! / m[c * N + c]!;
      for (let k = c; k < N; k++) m[r * N + k] = m[r * N + k]! - f * m[c * N + k]!;
      rhs[r] = rhs[r]! - f * rhs[c]!;
    }
  }
  for (let r = N - 1; r >= 0; r--) {
    let s = rhs[r]!;
    for (let k = r + 1; k < N; k++) s -= m[r * N + k]! * rhs[k]!;
    rhs[r] = s / m[r * N + r]!;
  }
  return rhs;
}
