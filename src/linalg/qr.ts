import { checkOptionKeys, type OptionKeys } from '../util/options.js';
/**
 * Memory order of a dense float64 matrix stored in a flat array. In `column-major` order (the default
 * here) column j of a rows×cols matrix is the contiguous slice `[j·rows, (j+1)·rows)`, which is how the
 * randomized estimators store blocks of vectors: each column can be handed to a matvec as a subarray.
 * In `row-major` order entry (i, j) is at `i·cols + j`.
 */
export type MatrixLayout = 'column-major' | 'row-major';

/** Options for {@link thinQR} and {@link orthonormalizeColumns}. */
export interface QROptions {
  /** Layout of the input and of the returned factors; default `'column-major'`. */
  layout?: MatrixLayout;
}

/** Thin QR factors of a rows×cols matrix with rows ≥ cols. */
export interface ThinQRResult {
  /** rows×cols with orthonormal columns, in the requested layout. */
  q: Float64Array;
  /** cols×cols upper triangular with a non-negative diagonal, in the requested layout. */
  r: Float64Array;
}

/** Options for {@link rangeBasis}. */
export interface RangeBasisOptions extends QROptions {
  /**
   * Relative rank threshold: pivoting stops when the largest remaining column norm is at most
   * `rtol` times the largest column norm of the input. Default 1e-12.
   */
  rtol?: number;
}

/** An orthonormal basis of the numerical range of a matrix. */
export interface RangeBasisResult {
  /** rows×rank with orthonormal columns, in the requested layout. */
  q: Float64Array;
  /** The numerical rank (number of columns of `q`). */
  rank: number;
}

function checkShape(fn: string, a: Float64Array, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || rows < 1)
    throw new RangeError(`${fn}: rows must be a positive integer, got ${rows}`);
  if (!Number.isInteger(cols) || cols < 0) {
    throw new RangeError(`${fn}: cols must be a non-negative integer, got ${cols}`);
  }
  if (a.length !== rows * cols) {
    throw new RangeError(`${fn}: matrix has ${a.length} entries, expected rows·cols = ${rows * cols}`);
  }
}

const OPTION_KEYS: OptionKeys<RangeBasisOptions> = { layout: true, rtol: true };

function layoutOf(fn: string, options: QROptions): MatrixLayout {
  // thinQR takes QROptions only; rtol is refused there below.
  checkOptionKeys(fn, options, OPTION_KEYS);
  if (fn !== 'rangeBasis' && (options as RangeBasisOptions).rtol !== undefined)
    throw new TypeError(`${fn}: unknown option 'rtol' (it is rangeBasis's)`);
  const layout = options.layout ?? 'column-major';
  if (layout !== 'column-major' && layout !== 'row-major') {
    throw new RangeError(`${fn}: layout must be 'column-major' or 'row-major', got ${String(layout)}`);
  }
  return layout;
}

/** Copies a matrix into column-major order (a fresh array either way: the callers overwrite it). */
function toColumnMajor(a: Float64Array, rows: number, cols: number, layout: MatrixLayout): Float64Array {
  if (layout === 'column-major') return Float64Array.from(a);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

function fromColumnMajor(a: Float64Array, rows: number, cols: number, layout: MatrixLayout): Float64Array {
  if (layout === 'column-major') return a;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = a[j * rows + i]!;
  return out;
}

/**
 * Computes the Householder reflector that maps column j of `w` (rows j…end) onto a multiple of e_j, stores
 * its unit vector in `v` (column j, rows j…end), applies it to columns j+1…cols−1 of `w`, and returns the
 * new diagonal entry. A zero column gives the identity reflector (v = 0) and a zero diagonal entry.
 */
function reflectColumn(w: Float64Array, v: Float64Array, rows: number, cols: number, j: number): number {
  const c = j * rows;
  let norm2 = 0;
  for (let i = j; i < rows; i++) norm2 += w[c + i]! ** 2;
  const norm = Math.sqrt(norm2);
  if (norm === 0) return 0;
  const x0 = w[c + j]!;
  // alpha has the sign opposite to x0 so that v = x − alpha·e_j does not cancel.
  const alpha = x0 >= 0 ? -norm : norm;
  let vnorm2 = 0;
  for (let i = j; i < rows; i++) {
    const vi = i === j ? x0 - alpha : w[c + i]!;
    v[c + i] = vi;
    vnorm2 += vi * vi;
  }
  const inv = 1 / Math.sqrt(vnorm2);
  for (let i = j; i < rows; i++) v[c + i] = v[c + i]! * inv;
  for (let k = j + 1; k < cols; k++) {
    const ck = k * rows;
    let dot = 0;
    for (let i = j; i < rows; i++) dot += v[c + i]! * w[ck + i]!;
    dot *= 2;
    for (let i = j; i < rows; i++) w[ck + i] = w[ck + i]! - dot * v[c + i]!;
  }
  return alpha;
}

/** Forms the first `count` columns of H_0·H_1·…·H_(count−1) from the unit reflector vectors in `v`. */
function accumulateQ(v: Float64Array, rows: number, count: number): Float64Array {
  const q = new Float64Array(rows * count);
  for (let j = 0; j < count; j++) q[j * rows + j] = 1;
  // Backwards accumulation: when H_j is applied, columns < j are still unit vectors e_k with no
  // entries in rows ≥ j, so only the trailing block needs updating.
  for (let j = count - 1; j >= 0; j--) {
    const c = j * rows;
    for (let k = j; k < count; k++) {
      const ck = k * rows;
      let dot = 0;
      for (let i = j; i < rows; i++) dot += v[c + i]! * q[ck + i]!;
      if (dot === 0) continue;
      dot *= 2;
      for (let i = j; i < rows; i++) q[ck + i] = q[ck + i]! - dot * v[c + i]!;
    }
  }
  return q;
}

/**
 * Thin (economy) QR factorization A = Q·R of a tall float64 matrix by Householder reflections.
 *
 * @remarks
 * Householder QR keeps Q orthonormal to machine precision even when A is ill-conditioned or rank
 * deficient (Gram–Schmidt does not), which the sketching estimators rely on. R's diagonal is made
 * non-negative, so for a full-rank A the factors are unique. A zero (or exactly dependent) column gives a
 * zero diagonal entry in R and an arbitrary, still orthonormal, column in Q.
 *
 * @param a - rows×cols matrix (not modified), rows ≥ cols.
 * @param rows - number of rows.
 * @param cols - number of columns.
 * @param options - `layout` of `a` and of the returned factors (default column-major).
 * @returns Q (rows×cols) and R (cols×cols), in the same layout as `a`.
 * @throws RangeError if the shape does not match `a.length` or rows \< cols.
 */
export function thinQR(a: Float64Array, rows: number, cols: number, options: QROptions = {}): ThinQRResult {
  const fn = 'thinQR';
  checkShape(fn, a, rows, cols);
  const layout = layoutOf(fn, options);
  if (rows < cols) throw new RangeError(`${fn}: need rows ≥ cols for a thin QR, got ${rows}×${cols}`);
  const w = toColumnMajor(a, rows, cols, layout);
  const v = new Float64Array(rows * cols);
  const r = new Float64Array(cols * cols);
  for (let j = 0; j < cols; j++) {
    r[j * cols + j] = reflectColumn(w, v, rows, cols, j);
    for (let k = j + 1; k < cols; k++) r[k * cols + j] = w[k * rows + j]!;
  }
  const q = accumulateQ(v, rows, cols);
  for (let j = 0; j < cols; j++) {
    if (r[j * cols + j]! >= 0) continue;
    // Flip the sign of row j of R and column j of Q together, which leaves Q·R unchanged.
    for (let k = j; k < cols; k++) r[k * cols + j] = -r[k * cols + j]!;
    for (let i = 0; i < rows; i++) q[j * rows + i] = -q[j * rows + i]!;
  }
  return { q: fromColumnMajor(q, rows, cols, layout), r: fromColumnMajor(r, cols, cols, layout) };
}

/**
 * Orthonormal basis of the column space of a tall matrix: the Q of {@link thinQR}, without forming R.
 *
 * @param a - rows×cols matrix (not modified), rows ≥ cols.
 * @param rows - number of rows.
 * @param cols - number of columns.
 * @param options - `layout` of `a` and of the result (default column-major).
 * @returns rows×cols with orthonormal columns spanning range(A) when A has full column rank.
 * @throws RangeError if the shape does not match `a.length` or rows \< cols.
 */
export function orthonormalizeColumns(
  a: Float64Array,
  rows: number,
  cols: number,
  options: QROptions = {},
): Float64Array {
  return thinQR(a, rows, cols, options).q;
}

/**
 * Orthonormal basis of the numerical range of a matrix, by Householder QR with column pivoting truncated
 * at a relative threshold (Businger–Golub).
 *
 * @remarks
 * Unlike {@link orthonormalizeColumns}, the result has only as many columns as the numerical rank, so it
 * spans range(A) and nothing else; the span depends only on the column space and inner products of A,
 * hence is unchanged when A is replaced by U·A with U orthogonal. Works for any shape (rank ≤ min(rows, cols)).
 *
 * @param a - rows×cols matrix (not modified).
 * @param rows - number of rows.
 * @param cols - number of columns.
 * @param options - `rtol` (default 1e-12) and `layout` (default column-major).
 * @returns Q (rows×rank) and the rank.
 * @throws RangeError if the shape does not match `a.length` or rtol is not in [0, 1).
 */
export function rangeBasis(
  a: Float64Array,
  rows: number,
  cols: number,
  options: RangeBasisOptions = {},
): RangeBasisResult {
  const fn = 'rangeBasis';
  checkShape(fn, a, rows, cols);
  const layout = layoutOf(fn, options);
  const rtol = options.rtol ?? 1e-12;
  if (!(rtol >= 0 && rtol < 1)) throw new RangeError(`${fn}: rtol must be in [0, 1), got ${rtol}`);
  const w = toColumnMajor(a, rows, cols, layout);
  const v = new Float64Array(rows * Math.min(rows, cols));
  const norms = new Float64Array(cols);
  let maxNorm = 0;
  for (let k = 0; k < cols; k++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += w[k * rows + i]! ** 2;
    norms[k] = s;
    maxNorm = Math.max(maxNorm, s);
  }
  const threshold = rtol * rtol * maxNorm;
  const steps = Math.min(rows, cols);
  let rank = 0;
  for (let j = 0; j < steps; j++) {
    // Recompute the trailing column norms exactly instead of downdating them, which is O(rows·cols) per
    // step and immune to the cancellation that makes downdated norms unreliable near the threshold.
    let best = -1;
    let bestNorm = 0;
    for (let k = j; k < cols; k++) {
      let s = 0;
      for (let i = j; i < rows; i++) s += w[k * rows + i]! ** 2;
      norms[k] = s;
      if (s > bestNorm) {
        bestNorm = s;
        best = k;
      }
    }
    if (best < 0 || maxNorm === 0 || bestNorm <= threshold) break;
    if (best !== j) {
      for (let i = 0; i < rows; i++) {
        const t = w[j * rows + i]!;
        w[j * rows + i] = w[best * rows + i]!;
        w[best * rows + i] = t;
      }
    }
    reflectColumn(w, v, rows, cols, j);
    rank++;
  }
  const q = accumulateQ(v, rows, rank);
  return { q: fromColumnMajor(q, rows, rank, layout), rank };
}
