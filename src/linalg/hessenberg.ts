import { type MatrixLike, squareMatrixInput } from './matrixLike.js';
/** A square matrix reduced to upper Hessenberg form, A = Q H Qᵀ. */
export interface HessenbergReduction {
  /** Upper Hessenberg H (n×n row-major; entries below the first subdiagonal are exactly zero). */
  h: Float64Array;
  /** The orthogonal Q (n×n row-major), present when requested. */
  q?: Float64Array;
}

/**
 * Reduces a real square matrix to upper Hessenberg form by Householder reflections (Golub & Van Loan,
 * Algorithm 7.4.2), optionally forming Q by backward accumulation.
 *
 * @remarks
 * Both the left update (HA: a combination of rows) and the right update (AH: a dot product along each
 * row) are written so that their inner loops run along rows of the row-major array.
 *
 * @param input - the matrix (not modified): any {@link MatrixLike}, or row-major n×n data with `size`.
 * @param size - the size, with bare row-major data only.
 * @param wantQ - also form Q.
 */
export function hessenberg(
  input: MatrixLike | Float64Array,
  size?: number,
  wantQ = false,
): HessenbergReduction {
  const { data: a, size: n } = squareMatrixInput('hessenberg', input, size);
  const h = Float64Array.from(a);
  // Reflector k (acting on indices k+1…n−1) is kept in row k of `vs`.
  const vs = wantQ ? new Float64Array(n * n) : new Float64Array(n);
  const betas = new Float64Array(n);
  const v = new Float64Array(n);
  const t = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let scale = 0;
    for (let i = k + 1; i < n; i++) scale = Math.max(scale, Math.abs(h[i * n + k]!));
    if (scale === 0) continue;
    let sigma2 = 0;
    for (let i = k + 1; i < n; i++) {
      const x = h[i * n + k]! / scale;
      v[i] = x;
      sigma2 += x * x;
    }
    const sigma = Math.sqrt(sigma2);
    const x0 = v[k + 1]!;
    const alpha = x0 >= 0 ? -sigma : sigma;
    v[k + 1] = x0 - alpha;
    const beta = 1 / (sigma * (sigma + Math.abs(x0)));
    betas[k] = beta;
    // Column k becomes α·scale·e_{k+1}.
    h[(k + 1) * n + k] = alpha * scale;
    for (let i = k + 2; i < n; i++) h[i * n + k] = 0;
    // Left: rows k+1…n−1, columns k+1…n−1: H ← H − β v (vᵀH).
    t.fill(0, k + 1, n);
    for (let i = k + 1; i < n; i++) {
      const vi = v[i]!;
      if (vi === 0) continue;
      const ri = i * n;
      for (let j = k + 1; j < n; j++) t[j] = t[j]! + vi * h[ri + j]!;
    }
    for (let i = k + 1; i < n; i++) {
      const f = beta * v[i]!;
      if (f === 0) continue;
      const ri = i * n;
      for (let j = k + 1; j < n; j++) h[ri + j] = h[ri + j]! - f * t[j]!;
    }
    // Right: all rows, columns k+1…n−1: H ← H − β (Hv) vᵀ.
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let j = k + 1; j < n; j++) s += h[ri + j]! * v[j]!;
      if (s === 0) continue;
      s *= beta;
      for (let j = k + 1; j < n; j++) h[ri + j] = h[ri + j]! - s * v[j]!;
    }
    if (wantQ) {
      const row = k * n;
      for (let i = k + 1; i < n; i++) vs[row + i] = v[i]!;
    }
  }
  if (!wantQ) return { h };
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const beta = betas[k]!;
    if (beta === 0) continue;
    const row = k * n;
    t.fill(0, k + 1, n);
    for (let i = k + 1; i < n; i++) {
      const vi = vs[row + i]!;
      if (vi === 0) continue;
      const ri = i * n;
      for (let j = k + 1; j < n; j++) t[j] = t[j]! + vi * q[ri + j]!;
    }
    for (let i = k + 1; i < n; i++) {
      const f = beta * vs[row + i]!;
      if (f === 0) continue;
      const ri = i * n;
      for (let j = k + 1; j < n; j++) q[ri + j] = q[ri + j]! - f * t[j]!;
    }
  }
  return { h, q };
}
