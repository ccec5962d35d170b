import { checkOptionKeys, type OptionKeys } from '../util/options.js';
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

const OPTION_KEYS: OptionKeys<TridiagonalEigenOptions> = {
  vectors: true,
  basis: true,
};

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
 * The rotations of each sweep are recorded and then applied to the eigenvector matrix one row at a
 * time, so the inner loop runs over contiguous memory with one load and one store per entry.
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
  checkOptionKeys('symmetricTridiagonalEigen', options, OPTION_KEYS);
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

  // z is the eigenvector matrix being built (row-major, columns = vectors). Each QL sweep's rotations
  // are recorded and then applied row by row (LAPACK's dlasr scheme): along a row the rotation chain
  // needs one load and one store per entry, and the memory is contiguous.
  let z: Float64Array | undefined;
  if (wantVectors) {
    if (basis) z = Float64Array.from(basis);
    else {
      z = new Float64Array(n * n);
      for (let i = 0; i < n; i++) z[i * n + i] = 1;
    }
  }
  const cs = new Float64Array(n);
  const sn = new Float64Array(n);

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
          const f = s * e[i]!;
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
          cs[i] = c;
          sn[i] = s;
        }
        // Rotations i = m−1 … lo were done (lo > l only after an underflow break).
        if (z) applyRotationChain(z, n, underflow ? i + 1 : l, m, cs, sn);
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
  if (!z) return { values };
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) vectors[row + j] = z[row + order[j]!]!;
  }
  return { values, vectors };
}

/**
 * Applies the rotations recorded for columns (i, i+1), i = m−1 down to lo, to every row of z: the
 * value of column i+1 is carried in a register along the chain.
 */
function applyRotationChain(
  z: Float64Array,
  n: number,
  lo: number,
  m: number,
  cs: Float64Array,
  sn: Float64Array,
): void {
  if (lo >= m) return;
  let r = 0;
  // Four rows at a time: four independent carry chains hide the latency of each one.
  for (; r + 3 < n; r += 4) {
    const r0 = r * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    let k0 = z[r0 + m]!;
    let k1 = z[r1 + m]!;
    let k2 = z[r2 + m]!;
    let k3 = z[r3 + m]!;
    for (let i = m - 1; i >= lo; i--) {
      const c = cs[i]!;
      const s = sn[i]!;
      const z0 = z[r0 + i]!;
      const z1 = z[r1 + i]!;
      const z2 = z[r2 + i]!;
      const z3 = z[r3 + i]!;
      z[r0 + i + 1] = s * z0 + c * k0;
      z[r1 + i + 1] = s * z1 + c * k1;
      z[r2 + i + 1] = s * z2 + c * k2;
      z[r3 + i + 1] = s * z3 + c * k3;
      k0 = c * z0 - s * k0;
      k1 = c * z1 - s * k1;
      k2 = c * z2 - s * k2;
      k3 = c * z3 - s * k3;
    }
    z[r0 + lo] = k0;
    z[r1 + lo] = k1;
    z[r2 + lo] = k2;
    z[r3 + lo] = k3;
  }
  for (; r < n; r++) {
    const row = r * n;
    let carry = z[row + m]!;
    for (let i = m - 1; i >= lo; i--) {
      const zi = z[row + i]!;
      const c = cs[i]!;
      const s = sn[i]!;
      z[row + i + 1] = s * zi + c * carry;
      carry = c * zi - s * carry;
    }
    z[row + lo] = carry;
  }
}
