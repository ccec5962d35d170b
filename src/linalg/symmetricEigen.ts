import { householderTridiagonal } from './householderTridiagonal.js';
import { type SymmetricEigenResult, symmetricTridiagonalEigen } from './symmetricTridiagonalEigen.js';

/**
 * Eigen-decomposition A = V diag(λ) Vᵀ of a real symmetric matrix: Householder tridiagonalization,
 * then implicit QL with Wilkinson shifts, rotating the Householder basis directly (no extra n³ product).
 *
 * @param a - row-major n×n matrix (not modified). Only symmetric input gives meaningful results; the
 *   caller checks symmetry (see {@link symmetryDefect}).
 * @param n - the size.
 * @param options - `vectors: true` (default) to return the eigenvectors.
 * @returns ascending eigenvalues and, with vectors, V (n×n row-major, column j the unit eigenvector for
 *   `values[j]`).
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
  options: { vectors?: boolean } = {},
): SymmetricEigenResult {
  if (!Number.isInteger(n) || n < 0 || a.length !== n * n) {
    throw new RangeError(`symmetricEigen: data has length ${a.length}, expected n² with n = ${n}`);
  }
  const vectors = options.vectors ?? true;
  const t = householderTridiagonal(a, n, vectors);
  return symmetricTridiagonalEigen(t.diagonal, t.offDiagonal, t.q ? { basis: t.q } : {});
}

/**
 * The largest |A[i][j] − A[j][i]| relative to the largest |A[i][j]| (0 for the zero matrix): how far a
 * row-major square matrix is from symmetric.
 */
export function symmetryDefect(a: Float64Array, n: number): number {
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = a[i * n + j]!;
      maxAbs = Math.max(maxAbs, Math.abs(x));
      if (j > i) maxDiff = Math.max(maxDiff, Math.abs(x - a[j * n + i]!));
    }
  }
  return maxAbs === 0 ? 0 : maxDiff / maxAbs;
}
