import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { householderTridiagonal } from './householderTridiagonal.js';
import { type MatrixLike, squareMatrixInput } from './matrixLike.js';
import { type SymmetricEigenResult, symmetricTridiagonalEigen } from './symmetricTridiagonalEigen.js';

/** Options for {@link symmetricEigen}. */
export interface SymmetricEigenOptions {
  /** Also return the eigenvectors; default true. */
  vectors?: boolean;
}

const OPTION_KEYS: OptionKeys<SymmetricEigenOptions> = { vectors: true };

/**
 * Eigen-decomposition A = V diag(λ) Vᵀ of a real symmetric matrix: Householder tridiagonalization,
 * then implicit QL with Wilkinson shifts, rotating the Householder basis directly (no extra n³ product).
 *
 * @param a - the matrix: any {@link MatrixLike} (rows, `{ data, size }`, a mathjs matrix), or row-major
 *   data with `n` (not modified). Only symmetric input gives meaningful results; the caller checks
 *   symmetry (see {@link symmetryDefect}).
 * @param n - the size, with bare row-major data only.
 * @param options - `vectors: true` (default) to return the eigenvectors.
 * @returns ascending eigenvalues and, with vectors, V (n×n row-major, column j the unit eigenvector for
 *   `values[j]`).
 */
export function symmetricEigen(a: MatrixLike, options?: SymmetricEigenOptions): SymmetricEigenResult;
export function symmetricEigen(
  a: Float64Array,
  n: number,
  options?: SymmetricEigenOptions,
): SymmetricEigenResult;
export function symmetricEigen(
  input: MatrixLike | Float64Array,
  sizeOrOptions?: number | SymmetricEigenOptions,
  maybeOptions: SymmetricEigenOptions = {},
): SymmetricEigenResult {
  const sized = typeof sizeOrOptions === 'number' || input instanceof Float64Array;
  const options = (sized ? maybeOptions : sizeOrOptions) ?? {};
  checkOptionKeys('symmetricEigen', options, OPTION_KEYS);
  const { data: a, size: n } = squareMatrixInput(
    'symmetricEigen',
    input,
    sized ? (sizeOrOptions as number | undefined) : undefined,
  );
  const vectors = options.vectors ?? true;
  const t = householderTridiagonal(a, n, vectors);
  return symmetricTridiagonalEigen(t.diagonal, t.offDiagonal, t.q ? { basis: t.q } : {});
}

/**
 * The largest |A[i][j] − A[j][i]| relative to the largest |A[i][j]| (0 for the zero matrix): how far a
 * row-major square matrix is from symmetric.
 */
export function symmetryDefect(input: MatrixLike | Float64Array, size?: number): number {
  const { data: a, size: n } = squareMatrixInput('symmetryDefect', input, size);
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
