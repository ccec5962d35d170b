import { hessenberg } from './hessenberg.js';
import { type MatrixLike, squareMatrixInput } from './matrixLike.js';
import { transpose } from './matrixMultiply.js';

/** A real Schur decomposition A = U T Uᵀ. */
export interface RealSchurResult {
  /**
   * Quasi-upper-triangular T (n×n row-major): 1×1 diagonal blocks for real eigenvalues and 2×2 blocks
   * for complex-conjugate pairs. `t[(i+1)·n + i]` is non-zero exactly where a 2×2 block starts at i;
   * every other entry below the diagonal is exactly zero.
   */
  t: Float64Array;
  /** Orthogonal U (n×n row-major). */
  u: Float64Array;
  /** Real parts of the eigenvalues, in the order of T's diagonal. */
  real: Float64Array;
  /** Imaginary parts of the eigenvalues (a conjugate pair as +b, −b). */
  imag: Float64Array;
}

const EPS = 2 ** -52;
const MAX_ITERATIONS_PER_VALUE = 100;

/**
 * Real Schur decomposition by Hessenberg reduction and Francis double-shift QR with exceptional shifts
 * (EISPACK `hqr2` as in JAMA, without the eigenvector back-substitution), so that A = U T Uᵀ with T
 * quasi-upper-triangular and U orthogonal.
 *
 * @remarks
 * Deflation sets negligible subdiagonal entries to exactly zero, and a 2×2 block with real eigenvalues
 * is split by a rotation, so T's block structure can be read off its subdiagonal. The Schur vectors
 * are accumulated transposed (each 3-element reflector then combines three contiguous rows).
 *
 * @param input - the matrix (not modified): any {@link MatrixLike}, or row-major n×n data with `size`.
 * @param size - the size, with bare row-major data only.
 * @throws RangeError for a malformed or non-finite input; Error if QR does not converge.
 */
export function realSchur(input: MatrixLike | Float64Array, size?: number): RealSchurResult {
  const { data: a, size: n } = squareMatrixInput('realSchur', input, size);
  for (let k = 0; k < a.length; k++) {
    if (!Number.isFinite(a[k]!))
      throw new RangeError(`realSchur: entry [${Math.floor(k / n)}][${k % n}] is ${a[k]}`);
  }
  const { h, q } = hessenberg(a, n, true);
  const ut = transpose(q!, n, n);
  const real = new Float64Array(n);
  const imag = new Float64Array(n);
  const H = h;
  const at = (i: number, j: number): number => H[i * n + j]!;

  let norm = 0;
  for (let i = 0; i < n; i++) for (let j = Math.max(i - 1, 0); j < n; j++) norm += Math.abs(at(i, j));

  let hi = n - 1;
  let exshift = 0;
  let iter = 0;
  let p = 0;
  let qq = 0;
  let r = 0;
  let s = 0;
  let z = 0;
  let w: number;
  let x: number;
  let y: number;

  while (hi >= 0) {
    // Look for a single small subdiagonal element.
    let l = hi;
    while (l > 0) {
      s = Math.abs(at(l - 1, l - 1)) + Math.abs(at(l, l));
      if (s === 0) s = norm;
      if (Math.abs(at(l, l - 1)) <= EPS * s) {
        H[l * n + l - 1] = 0;
        break;
      }
      l--;
    }
    if (l === hi) {
      // One root found.
      H[hi * n + hi] = at(hi, hi) + exshift;
      real[hi] = at(hi, hi);
      imag[hi] = 0;
      hi--;
      iter = 0;
    } else if (l === hi - 1) {
      // Two roots found.
      const m1 = hi - 1;
      w = at(hi, m1) * at(m1, hi);
      p = (at(m1, m1) - at(hi, hi)) / 2;
      qq = p * p + w;
      z = Math.sqrt(Math.abs(qq));
      H[hi * n + hi] = at(hi, hi) + exshift;
      H[m1 * n + m1] = at(m1, m1) + exshift;
      x = at(hi, hi);
      if (qq >= 0) {
        // Real pair: rotate the block to upper triangular.
        z = p >= 0 ? p + z : p - z;
        real[m1] = x + z;
        real[hi] = z !== 0 ? x - w / z : x + z;
        imag[m1] = 0;
        imag[hi] = 0;
        x = at(hi, m1);
        s = Math.abs(x) + Math.abs(z);
        p = x / s;
        qq = z / s;
        r = Math.sqrt(p * p + qq * qq);
        p /= r;
        qq /= r;
        const rm = m1 * n;
        const rh = hi * n;
        for (let j = m1; j < n; j++) {
          z = H[rm + j]!;
          H[rm + j] = qq * z + p * H[rh + j]!;
          H[rh + j] = qq * H[rh + j]! - p * z;
        }
        for (let i = 0; i <= hi; i++) {
          const ri = i * n;
          z = H[ri + m1]!;
          H[ri + m1] = qq * z + p * H[ri + hi]!;
          H[ri + hi] = qq * H[ri + hi]! - p * z;
        }
        for (let j = 0; j < n; j++) {
          z = ut[rm + j]!;
          ut[rm + j] = qq * z + p * ut[rh + j]!;
          ut[rh + j] = qq * ut[rh + j]! - p * z;
        }
        H[rh + m1] = 0;
        // Order the two diagonal entries as the eigenvalues they now are.
        real[m1] = at(m1, m1);
        real[hi] = at(hi, hi);
      } else {
        real[m1] = x + p;
        real[hi] = x + p;
        imag[m1] = z;
        imag[hi] = -z;
      }
      hi -= 2;
      iter = 0;
    } else {
      // No convergence yet: form the shift.
      x = at(hi, hi);
      y = 0;
      w = 0;
      if (l < hi) {
        y = at(hi - 1, hi - 1);
        w = at(hi, hi - 1) * at(hi - 1, hi);
      }
      if (iter === 10) {
        // Wilkinson's original ad hoc shift.
        exshift += x;
        for (let i = 0; i <= hi; i++) H[i * n + i] = at(i, i) - x;
        s = Math.abs(at(hi, hi - 1)) + Math.abs(at(hi - 1, hi - 2));
        x = 0.75 * s;
        y = x;
        w = -0.4375 * s * s;
      }
      if (iter === 30) {
        // MATLAB's ad hoc shift.
        s = (y - x) / 2;
        s = s * s + w;
        if (s > 0) {
          s = Math.sqrt(s);
          if (y < x) s = -s;
          s = x - w / ((y - x) / 2 + s);
          for (let i = 0; i <= hi; i++) H[i * n + i] = at(i, i) - s;
          exshift += s;
          x = 0.964;
          y = x;
          w = x;
        }
      }
      iter++;
      if (iter > MAX_ITERATIONS_PER_VALUE) {
        throw new Error(`realSchur: QR iteration did not converge (eigenvalue ${hi} of ${n})`);
      }
      // Look for two consecutive small subdiagonal elements.
      let m = hi - 2;
      while (m >= l) {
        z = at(m, m);
        r = x - z;
        s = y - z;
        p = (r * s - w) / at(m + 1, m) + at(m, m + 1);
        qq = at(m + 1, m + 1) - z - r - s;
        r = at(m + 2, m + 1);
        s = Math.abs(p) + Math.abs(qq) + Math.abs(r);
        p /= s;
        qq /= s;
        r /= s;
        if (m === l) break;
        if (
          Math.abs(at(m, m - 1)) * (Math.abs(qq) + Math.abs(r)) <
          EPS * (Math.abs(p) * (Math.abs(at(m - 1, m - 1)) + Math.abs(z) + Math.abs(at(m + 1, m + 1))))
        ) {
          break;
        }
        m--;
      }
      for (let i = m + 2; i <= hi; i++) {
        H[i * n + i - 2] = 0;
        if (i > m + 2) H[i * n + i - 3] = 0;
      }
      // Double QR step on rows l…hi and columns m…hi.
      for (let k = m; k <= hi - 1; k++) {
        const notlast = k !== hi - 1;
        if (k !== m) {
          p = at(k, k - 1);
          qq = at(k + 1, k - 1);
          r = notlast ? at(k + 2, k - 1) : 0;
          x = Math.abs(p) + Math.abs(qq) + Math.abs(r);
          if (x === 0) continue;
          p /= x;
          qq /= x;
          r /= x;
        }
        s = Math.sqrt(p * p + qq * qq + r * r);
        if (p < 0) s = -s;
        if (s === 0) continue;
        if (k !== m) H[k * n + k - 1] = -s * x;
        else if (l !== m) H[k * n + k - 1] = -at(k, k - 1);
        p += s;
        x = p / s;
        y = qq / s;
        z = r / s;
        qq /= p;
        r /= p;
        const r0 = k * n;
        const r1 = r0 + n;
        const r2 = r1 + n;
        // Row modification.
        if (notlast) {
          for (let j = k; j < n; j++) {
            const pp = H[r0 + j]! + qq * H[r1 + j]! + r * H[r2 + j]!;
            H[r0 + j] = H[r0 + j]! - pp * x;
            H[r1 + j] = H[r1 + j]! - pp * y;
            H[r2 + j] = H[r2 + j]! - pp * z;
          }
        } else {
          for (let j = k; j < n; j++) {
            const pp = H[r0 + j]! + qq * H[r1 + j]!;
            H[r0 + j] = H[r0 + j]! - pp * x;
            H[r1 + j] = H[r1 + j]! - pp * y;
          }
        }
        // Column modification.
        const iEnd = Math.min(hi, k + 3);
        for (let i = 0; i <= iEnd; i++) {
          const ri = i * n + k;
          let pp = x * H[ri]! + y * H[ri + 1]!;
          if (notlast) {
            pp += z * H[ri + 2]!;
            H[ri + 2] = H[ri + 2]! - pp * r;
          }
          H[ri] = H[ri]! - pp;
          H[ri + 1] = H[ri + 1]! - pp * qq;
        }
        // Accumulate transformations (columns of U = rows of Uᵀ).
        if (notlast) {
          for (let j = 0; j < n; j++) {
            const pp = x * ut[r0 + j]! + y * ut[r1 + j]! + z * ut[r2 + j]!;
            ut[r0 + j] = ut[r0 + j]! - pp;
            ut[r1 + j] = ut[r1 + j]! - pp * qq;
            ut[r2 + j] = ut[r2 + j]! - pp * r;
          }
        } else {
          for (let j = 0; j < n; j++) {
            const pp = x * ut[r0 + j]! + y * ut[r1 + j]!;
            ut[r0 + j] = ut[r0 + j]! - pp;
            ut[r1 + j] = ut[r1 + j]! - pp * qq;
          }
        }
      }
    }
  }
  // Exact zeros below the quasi-triangle: only the subdiagonal of complex 2×2 blocks survives.
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i - 1; j++) H[i * n + j] = 0;
    if (imag[i - 1] === 0 || imag[i] === 0 || imag[i - 1]! <= 0) H[i * n + i - 1] = 0;
  }
  return { t: H, u: transpose(ut, n, n), real, imag };
}
