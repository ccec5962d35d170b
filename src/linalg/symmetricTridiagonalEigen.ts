/** Options for {@link symmetricTridiagonalEigen}. */
export interface TridiagonalEigenOptions {
  /** Also compute the eigenvectors (default false: eigenvalues only, which is O(n²) instead of O(n³)). */
  vectors?: boolean;
  /**
   * Starting basis to rotate instead of the identity: a row-major n×n matrix Q (not modified). With it,
   * the returned `vectors` are Q·Z, where Z holds the tridiagonal matrix's eigenvectors, i.e. the
   * eigenvectors of Q·T·Qᵀ; this is how a Householder tridiagonalization is finished without an extra
   * n³ product. Implies `vectors: true`.
   */
  basis?: Float64Array;
}

/** Eigen-decomposition of a symmetric matrix: ascending eigenvalues and, optionally, eigenvectors. */
export interface SymmetricEigenResult {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** n×n row-major; column j (entries `vectors[i * n + j]`) is the unit eigenvector for `values[j]`. */
  vectors?: Float64Array;
}

const EPS = 2 ** -52;
const TINY = 2 ** -1000;
const MAX_SWEEPS_PER_VALUE = 60;

/**
 * Eigenvalues (and optionally eigenvectors) of a real symmetric tridiagonal matrix, by the implicit QL
 * algorithm with Wilkinson shifts (Numerical Recipes' `tqli`, EISPACK's `tql2` family).
 *
 * @remarks
 * The matrix is first scaled by its largest entry so that neither the shifts nor the rotations overflow,
 * and an off-diagonal entry is set to zero when it is below machine epsilon times the two neighbouring
 * diagonal entries (a local test, so small eigenvalues of graded matrices keep their relative accuracy).
 * Rotations are accumulated on the rows of the transposed eigenvector matrix, which keeps the inner
 * loop on contiguous memory; the result is transposed once at the end.
 *
 * @param diagonal - the n diagonal entries (not modified).
 * @param offDiagonal - the n−1 entries T[i][i+1] = T[i+1][i] (not modified).
 * @param options - `vectors: true` to also return the eigenvectors.
 * @returns ascending eigenvalues; with `vectors`, an n×n row-major matrix whose column j is the unit
 *   eigenvector for `values[j]`.
 * @throws RangeError if the lengths do not match or an entry is not finite; Error if QL does not converge.
 */
export function symmetricTridiagonalEigen(
  diagonal: Float64Array,
  offDiagonal: Float64Array,
  options: TridiagonalEigenOptions = {},
): SymmetricEigenResult {
  const n = diagonal.length;
  if (offDiagonal.length !== Math.max(n - 1, 0)) {
    throw new RangeError(
      `symmetricTridiagonalEigen: offDiagonal has length ${offDiagonal.length}, expected diagonal.length − 1 = ${Math.max(n - 1, 0)}`,
    );
  }
  let scale = 0;
  for (let i = 0; i < n; i++) {
    const v = diagonal[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`symmetricTridiagonalEigen: diagonal[${i}] is ${v}`);
    scale = Math.max(scale, Math.abs(v));
  }
  for (let i = 0; i < n - 1; i++) {
    const v = offDiagonal[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`symmetricTridiagonalEigen: offDiagonal[${i}] is ${v}`);
    scale = Math.max(scale, Math.abs(v));
  }
  const basis = options.basis;
  if (basis !== undefined && basis.length !== n * n) {
    throw new RangeError(
      `symmetricTridiagonalEigen: basis has length ${basis.length}, expected n² = ${n * n}`,
    );
  }
  const wantVectors = options.vectors === true || basis !== undefined;
  if (scale === 0) scale = 1;
  const inv = 1 / scale;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = diagonal[i]! * inv;
  for (let i = 0; i < n - 1; i++) e[i] = offDiagonal[i]! * inv;

  // zt row k holds eigenvector k (i.e. zt = Zᵀ, or Qᵀ-rotated when a basis is given).
  let zt: Float64Array | undefined;
  if (wantVectors) {
    zt = new Float64Array(n * n);
    if (basis) {
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) zt[j * n + i] = basis[i * n + j]!;
    } else {
      for (let i = 0; i < n; i++) zt[i * n + i] = 1;
    }
  }

  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        const em = Math.abs(e[m]!);
        if (em <= EPS * dd || em < TINY) break;
      }
      if (m !== l) {
        if (iter++ >= MAX_SWEEPS_PER_VALUE) {
          throw new Error(
            `symmetricTridiagonalEigen: QL iteration did not converge for eigenvalue ${l} after ${MAX_SWEEPS_PER_VALUE} sweeps`,
          );
        }
        // Wilkinson shift: the eigenvalue of the leading 2×2 block closer to d[l].
        let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
        let r = Math.hypot(g, 1);
        g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        let underflow = false;
        for (i = m - 1; i >= l; i--) {
          let f = s * e[i]!;
          const b = c * e[i]!;
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] = d[i + 1]! - p;
            e[m] = 0;
            underflow = true;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1]! - p;
          r = (d[i]! - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          if (zt) {
            const ri = i * n;
            const rj = ri + n;
            for (let k = 0; k < n; k++) {
              f = zt[rj + k]!;
              const zi = zt[ri + k]!;
              zt[rj + k] = s * zi + c * f;
              zt[ri + k] = c * zi - s * f;
            }
          }
        }
        if (underflow) continue;
        d[l] = d[l]! - p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[a]! - d[b]!);
  const values = new Float64Array(n);
  for (let j = 0; j < n; j++) values[j] = d[order[j]!]! * scale;
  if (!zt) return { values };
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const row = order[j]! * n;
    for (let i = 0; i < n; i++) vectors[i * n + j] = zt[row + i]!;
  }
  return { values, vectors };
}
