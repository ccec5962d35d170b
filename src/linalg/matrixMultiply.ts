/**
 * Dense float64 products on row-major data, written for the JIT: every inner loop is a dot product over
 * contiguous memory, with a 4×2 register block so that each loaded entry is used several times. These
 * are the n³ kernels behind the Lyapunov solvers.
 */

/**
 * C = A·B for row-major A (rows×inner) and B (inner×cols), computed as A·(Bᵀ)ᵀ with
 * {@link matmulTransposeB} (the dot-product form is faster in JavaScript than the axpy form, and the
 * transpose costs only rows·cols moves).
 *
 * @returns a new row-major rows×cols array.
 */
export function matmul(
  a: Float64Array,
  b: Float64Array,
  rows: number,
  inner: number,
  cols: number,
): Float64Array {
  if (a.length !== rows * inner || b.length !== inner * cols) {
    throw new RangeError(
      `matmul: shapes do not match (${a.length} ≠ ${rows}×${inner} or ${b.length} ≠ ${inner}×${cols})`,
    );
  }
  return matmulTransposeB(a, transpose(b, inner, cols), rows, inner, cols);
}

/** Rows of B kept hot in cache while all row blocks of A pass over them. */
const COLUMN_BLOCK = 64;

/**
 * C = A·Bᵀ for row-major A (rows×inner) and B (cols×inner): dot products of rows, four rows of A by two
 * rows of B at a time (eight accumulators in registers, six loads per eight multiply-adds), with B
 * taken in blocks of 64 rows so that each block stays in cache while A streams past it.
 *
 * @param symmetric - the caller knows C is symmetric (rows = cols): only blocks touching the upper
 *   triangle are computed and the rest is mirrored, halving the work.
 * @returns a new row-major rows×cols array.
 */
export function matmulTransposeB(
  a: Float64Array,
  b: Float64Array,
  rows: number,
  inner: number,
  cols: number,
  symmetric = false,
): Float64Array {
  if (a.length !== rows * inner || b.length !== cols * inner) {
    throw new RangeError(
      `matmulTransposeB: shapes do not match (${a.length} ≠ ${rows}×${inner} or ${b.length} ≠ ${cols}×${inner})`,
    );
  }
  if (symmetric && rows !== cols)
    throw new RangeError('matmulTransposeB: a symmetric product must be square');
  const c = new Float64Array(rows * cols);
  const dot = (i: number, j: number): number => {
    const ai = i * inner;
    const bj = j * inner;
    let s = 0;
    for (let p = 0; p < inner; p++) s += a[ai + p]! * b[bj + p]!;
    return s;
  };
  for (let jb = 0; jb < cols; jb += COLUMN_BLOCK) {
    const je = Math.min(jb + COLUMN_BLOCK, cols);
    const jPairEnd = jb + 2 * Math.floor((je - jb) / 2);
    let i = 0;
    for (; i + 3 < rows; i += 4) {
      if (symmetric && je <= i) continue;
      const a0 = i * inner;
      const a1 = a0 + inner;
      const a2 = a1 + inner;
      const a3 = a2 + inner;
      const c0 = i * cols;
      const c1 = c0 + cols;
      const c2 = c1 + cols;
      const c3 = c2 + cols;
      for (let j = jb; j < jPairEnd; j += 2) {
        if (symmetric && j + 1 < i) continue;
        const b0 = j * inner;
        const b1 = b0 + inner;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        let s20 = 0;
        let s21 = 0;
        let s30 = 0;
        let s31 = 0;
        for (let p = 0; p < inner; p++) {
          const y0 = b[b0 + p]!;
          const y1 = b[b1 + p]!;
          const x0 = a[a0 + p]!;
          const x1 = a[a1 + p]!;
          const x2 = a[a2 + p]!;
          const x3 = a[a3 + p]!;
          s00 += x0 * y0;
          s01 += x0 * y1;
          s10 += x1 * y0;
          s11 += x1 * y1;
          s20 += x2 * y0;
          s21 += x2 * y1;
          s30 += x3 * y0;
          s31 += x3 * y1;
        }
        c[c0 + j] = s00;
        c[c0 + j + 1] = s01;
        c[c1 + j] = s10;
        c[c1 + j + 1] = s11;
        c[c2 + j] = s20;
        c[c2 + j + 1] = s21;
        c[c3 + j] = s30;
        c[c3 + j + 1] = s31;
      }
      if (jPairEnd < je) for (let r = i; r < i + 4; r++) c[r * cols + jPairEnd] = dot(r, jPairEnd);
    }
    for (; i < rows; i++)
      for (let j = symmetric ? Math.max(jb, i) : jb; j < je; j++) c[i * cols + j] = dot(i, j);
  }
  if (symmetric) {
    for (let i = 0; i < rows; i++) for (let j = 0; j < i; j++) c[i * cols + j] = c[j * cols + i]!;
  }
  return c;
}

/** Bᵀ for a row-major rows×cols matrix, blocked so that both reads and writes stay in cache. */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  if (a.length !== rows * cols) throw new RangeError(`transpose: length ${a.length} ≠ ${rows}×${cols}`);
  const t = new Float64Array(rows * cols);
  const block = 32;
  for (let ib = 0; ib < rows; ib += block) {
    const ie = Math.min(ib + block, rows);
    for (let jb = 0; jb < cols; jb += block) {
      const je = Math.min(jb + block, cols);
      for (let i = ib; i < ie; i++) for (let j = jb; j < je; j++) t[j * rows + i] = a[i * cols + j]!;
    }
  }
  return t;
}
