import { type MatrixLike, type SizedMatrix, toSizedMatrix } from '../linalg/matrixLike.js';
import { matmul, matmulTransposeB, transpose } from '../linalg/matrixMultiply.js';
import { symmetricEigen, symmetryDefect } from '../linalg/symmetricEigen.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';

/** Options shared by the covariance functions that take a symmetric H. */
export interface SymmetricInputOptions {
  /**
   * Largest relative asymmetry max|Aᵢⱼ − Aⱼᵢ| / max|Aᵢⱼ| accepted for H and σ² (they are then
   * symmetrized); default 1e-8, loose enough for Hessians assembled from float32 products.
   */
  symmetryTolerance?: number;
}

const OPTION_KEYS: OptionKeys<SymmetricInputOptions> = { symmetryTolerance: true };

/** H's eigen-decomposition with σ², both validated and symmetrized. */
export interface SpectralProblem {
  /** The size. */
  n: number;
  /** Ascending eigenvalues of H. */
  values: Float64Array;
  /** Row-major eigenvectors of H (columns). */
  vectors: Float64Array;
  /** σ², symmetrized, row-major. */
  sigma2: Float64Array;
}

function symmetrize(m: SizedMatrix, fn: string, name: string, tolerance: number): Float64Array {
  const { data, size: n } = m;
  const defect = symmetryDefect(data, n);
  if (defect > tolerance) {
    throw new RangeError(
      `${fn}: ${name} is not symmetric (max |${name}ᵢⱼ − ${name}ⱼᵢ| / max |${name}ᵢⱼ| = ${defect.toExponential(2)} > ${tolerance}); for a non-symmetric drift use solveLyapunov`,
    );
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (data[i * n + j]! + data[j * n + i]!);
      data[i * n + j] = v;
      data[j * n + i] = v;
    }
  }
  return data;
}

/**
 * Validates H and σ² (square, same size, finite, symmetric within tolerance) and diagonalizes H.
 *
 * @param fn - the public function's name, for error messages.
 */
export function prepareSpectralProblem(
  fn: string,
  h: MatrixLike,
  sigma2: MatrixLike,
  options: SymmetricInputOptions = {},
): SpectralProblem {
  checkOptionKeys(fn, options, OPTION_KEYS);
  const tolerance = options.symmetryTolerance ?? 1e-8;
  if (!(tolerance >= 0)) throw new RangeError(`${fn}: symmetryTolerance must be ≥ 0, got ${tolerance}`);
  const H = toSizedMatrix(h, `${fn}: H`);
  const S = toSizedMatrix(sigma2, `${fn}: sigma2`);
  if (H.size !== S.size)
    throw new RangeError(`${fn}: H is ${H.size}×${H.size} but sigma2 is ${S.size}×${S.size}`);
  const hs = symmetrize(H, fn, 'H', tolerance);
  const ss = symmetrize(S, fn, 'sigma2', tolerance);
  const { values, vectors } = symmetricEigen(hs, H.size);
  return { n: H.size, values, vectors: vectors!, sigma2: ss };
}

/**
 * Returns V [(Vᵀ σ² V) ∘ W] Vᵀ with Wᵢⱼ = weight(λᵢ, λⱼ): the solution of every covariance equation
 * whose operator is diagonal in H's eigenbasis (Lyapunov, Stein, transient OU). Four n³ products, two
 * of them computing only one triangle of a symmetric result.
 */
export function spectralCovariance(
  problem: SpectralProblem,
  weight: (li: number, lj: number) => number,
): Float64Array {
  const { n, values, vectors: v, sigma2 } = problem;
  const vt = transpose(v, n, n);
  const vts = matmul(vt, sigma2, n, n, n);
  const c = matmulTransposeB(vts, vt, n, n, n, true);
  for (let i = 0; i < n; i++) {
    const li = values[i]!;
    const row = i * n;
    for (let j = i; j < n; j++) {
      const wij = weight(li, values[j]!);
      c[row + j] = c[row + j]! * wij;
      if (j !== i) c[j * n + i] = c[row + j]!;
    }
  }
  const vc = matmul(v, c, n, n, n);
  return matmulTransposeB(vc, v, n, n, n, true);
}
