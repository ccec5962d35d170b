/** An LU factorization with partial pivoting, P A = L U, of a square matrix. */
export interface LUFactorization {
  /** L (unit lower, below the diagonal) and U (on and above it) packed row-major, n×n. */
  lu: Float64Array;
  /** Row i of P A is row `pivots[i]` of A. */
  pivots: Int32Array;
  /** The size n. */
  n: number;
  /** log |det A| (−Infinity for an exactly singular A). */
  logAbsDeterminant: number;
  /** The smallest |U_ii| relative to the largest |A_ij|: a cheap singularity indicator (0 when singular). */
  relativePivot: number;
}

/**
 * LU factorization with partial (row) pivoting by Gaussian elimination, in float64.
 *
 * @param a - row-major n×n matrix (not modified).
 * @param n - the size.
 * @throws RangeError for a malformed input.
 */
export function luFactor(a: Float64Array, n: number): LUFactorization {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) {
    throw new RangeError(`luFactor: data has length ${a.length}, expected n² with n = ${n} ≥ 1`);
  }
  const lu = Float64Array.from(a);
  const pivots = Int32Array.from({ length: n }, (_, i) => i);
  let scale = 0;
  for (let k = 0; k < a.length; k++) scale = Math.max(scale, Math.abs(a[k]!));
  let logAbsDeterminant = 0;
  let minPivot = Number.POSITIVE_INFINITY;
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(lu[r * n + col]!) > Math.abs(lu[piv * n + col]!)) piv = r;
    if (piv !== col) {
      for (let k = 0; k < n; k++) {
        const t = lu[col * n + k]!;
        lu[col * n + k] = lu[piv * n + k]!;
        lu[piv * n + k] = t;
      }
      const t = pivots[col]!;
      pivots[col] = pivots[piv]!;
      pivots[piv] = t;
    }
    const d = lu[col * n + col]!;
    minPivot = Math.min(minPivot, Math.abs(d));
    logAbsDeterminant += Math.log(Math.abs(d));
    if (d === 0) continue;
    for (let r = col + 1; r < n; r++) {
      const f = lu[r * n + col]! / d;
      lu[r * n + col] = f;
      if (f === 0) continue;
      for (let k = col + 1; k < n; k++) lu[r * n + k] = lu[r * n + k]! - f * lu[col * n + k]!;
    }
  }
  return { lu, pivots, n, logAbsDeterminant, relativePivot: scale === 0 ? 0 : minPivot / scale };
}

/**
 * A⁻¹ from an {@link LUFactorization} (row-major), by solving A X = I column by column.
 *
 * @throws Error when a pivot is exactly zero (A singular).
 */
export function luInverse(factor: LUFactorization): Float64Array {
  const { lu, pivots, n } = factor;
  for (let i = 0; i < n; i++) {
    if (lu[i * n + i] === 0) throw new Error(`luInverse: the matrix is singular (pivot ${i} is zero)`);
  }
  const inv = new Float64Array(n * n);
  const x = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    // Column j of P·I, then forward substitution with unit L and back substitution with U.
    for (let i = 0; i < n; i++) x[i] = pivots[i] === j ? 1 : 0;
    for (let i = 0; i < n; i++) {
      let s = x[i]!;
      for (let k = 0; k < i; k++) s -= lu[i * n + k]! * x[k]!;
      x[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i]!;
      for (let k = i + 1; k < n; k++) s -= lu[i * n + k]! * x[k]!;
      x[i] = s / lu[i * n + i]!;
    }
    for (let i = 0; i < n; i++) inv[i * n + j] = x[i]!;
  }
  return inv;
}
