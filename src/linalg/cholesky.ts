import { type MatrixLike, squareMatrixInput } from './matrixLike.js';

/**
 * Cholesky factor L (lower triangular, row-major, A = L Lᵀ) of a symmetric positive definite matrix.
 *
 * @param input - the symmetric matrix: any {@link MatrixLike}, or row-major data with `n` (only the lower
 *   triangle is read; not modified).
 * @param size - the size, with bare row-major data only.
 * @throws RangeError if A is not (numerically) positive definite, naming the failing pivot.
 */
export function cholesky(input: MatrixLike | Float64Array, size?: number): Float64Array {
  const { data: a, size: n } = squareMatrixInput('cholesky', input, size);
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= l[ri + k]! * l[rj + k]!;
      if (i === j) {
        if (!(s > 0)) {
          throw new RangeError(`cholesky: the matrix is not positive definite (pivot ${i} is ${s})`);
        }
        l[ri + i] = Math.sqrt(s);
      } else {
        l[ri + j] = s / l[rj + j]!;
      }
    }
  }
  return l;
}

/**
 * Solves A x = b given A's Cholesky factor L (from {@link cholesky}): forward then back substitution.
 *
 * @returns a new vector x.
 */
export function choleskySolve(l: Float64Array, b: Float64Array): Float64Array {
  const n = b.length;
  if (l.length !== n * n)
    throw new RangeError(`choleskySolve: factor has length ${l.length}, expected ${n}²`);
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}
