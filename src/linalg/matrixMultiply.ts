/**
 * Dense float64 products on row-major data, written for the JIT: every inner loop runs over contiguous
 * memory, and rows are processed four (or two) at a time so that each loaded entry of the right-hand
 * factor is reused from a register. These are the n³ kernels behind the Lyapunov solvers.
 */

/**
 * C = A·B for row-major A (rows×inner) and B (inner×cols).
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
  const c = new Float64Array(rows * cols);
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const c0 = i * cols;
    const c1 = c0 + cols;
    const c2 = c1 + cols;
    const c3 = c2 + cols;
    const a0 = i * inner;
    const a1 = a0 + inner;
    const a2 = a1 + inner;
    const a3 = a2 + inner;
    for (let p = 0; p < inner; p++) {
      const x0 = a[a0 + p]!;
      const x1 = a[a1 + p]!;
      const x2 = a[a2 + p]!;
      const x3 = a[a3 + p]!;
      if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
      const bp = p * cols;
      for (let j = 0; j < cols; j++) {
        const bv = b[bp + j]!;
        c[c0 + j] = c[c0 + j]! + x0 * bv;
        c[c1 + j] = c[c1 + j]! + x1 * bv;
        c[c2 + j] = c[c2 + j]! + x2 * bv;
        c[c3 + j] = c[c3 + j]! + x3 * bv;
      }
    }
  }
  for (; i < rows; i++) {
    const c0 = i * cols;
    const a0 = i * inner;
    for (let p = 0; p < inner; p++) {
      const x0 = a[a0 + p]!;
      if (x0 === 0) continue;
      const bp = p * cols;
      for (let j = 0; j < cols; j++) c[c0 + j] = c[c0 + j]! + x0 * b[bp + j]!;
    }
  }
  return c;
}

/**
 * C = A·Bᵀ for row-major A (rows×inner) and B (cols×inner): dot products of rows, two by two.
 *
 * @param symmetric - the caller knows C is symmetric (rows = cols): only the upper triangle is computed
 *   and mirrored, halving the work.
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
  for (let i = 0; i < rows; i += 2) {
    const two = i + 1 < rows;
    const ai = i * inner;
    const ai1 = ai + inner;
    let j = symmetric ? i : 0;
    for (; j < cols; j += 2) {
      const twoJ = j + 1 < cols;
      const bj = j * inner;
      const bj1 = bj + inner;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      if (two && twoJ) {
        for (let p = 0; p < inner; p++) {
          const x0 = a[ai + p]!;
          const x1 = a[ai1 + p]!;
          const y0 = b[bj + p]!;
          const y1 = b[bj1 + p]!;
          s00 += x0 * y0;
          s01 += x0 * y1;
          s10 += x1 * y0;
          s11 += x1 * y1;
        }
      } else {
        for (let p = 0; p < inner; p++) {
          const x0 = a[ai + p]!;
          const y0 = b[bj + p]!;
          s00 += x0 * y0;
          if (twoJ) s01 += x0 * b[bj1 + p]!;
          if (two) s10 += a[ai1 + p]! * y0;
        }
      }
      c[i * cols + j] = s00;
      if (twoJ) c[i * cols + j + 1] = s01;
      if (two) c[(i + 1) * cols + j] = s10;
      if (two && twoJ) c[(i + 1) * cols + j + 1] = s11;
    }
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
