import { type MatrixLike, squareMatrixInput } from './matrixLike.js';
/** A symmetric matrix reduced to tridiagonal form, A = Q T Qᵀ. */
export interface TridiagonalReduction {
  /** The n diagonal entries of T. */
  diagonal: Float64Array;
  /** The n−1 entries T[i][i+1]. */
  offDiagonal: Float64Array;
  /** The orthogonal Q (n×n row-major), present when requested. */
  q?: Float64Array;
}

/**
 * Reduces a real symmetric matrix to tridiagonal form by Householder reflections (Golub & Van Loan,
 * Algorithm 8.3.1), optionally forming the orthogonal factor Q by backward accumulation.
 *
 * @remarks
 * Works on the lower triangle of a row-major copy: the symmetric matrix–vector product (a dot product
 * and a scatter along each row) and the rank-2 update both run along rows, which is what keeps this
 * fast in JavaScript, and only the lower-right block still to be reduced is touched at each step.
 *
 * @param input - the symmetric matrix (not modified; only its lower triangle is read): any {@link MatrixLike},
 *   or row-major n×n data with `size`.
 * @param size - the size, with bare row-major data only.
 * @param wantQ - also form Q (4n³/3 extra flops).
 */
export function householderTridiagonal(
  input: MatrixLike | Float64Array,
  size?: number,
  wantQ = false,
): TridiagonalReduction {
  const { data: a, size: n } = squareMatrixInput('householderTridiagonal', input, size);
  // Only the lower triangle (j ≤ i) of the work copy is read or written.
  const w = Float64Array.from(a);
  // Row k holds reflector k's vector (entries k+1…n−1).
  const vs = new Float64Array(n * n);
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(Math.max(n - 1, 0));
  const betas = new Float64Array(n);
  let p = new Float64Array(n);
  let y = new Float64Array(n);
  // Step k needs p = β A₂₂ v_k. After step k−1's rank-2 update has finished column k (so v_k is
  // known), the rest of the update and the symmetric product for step k share one pass over the lower
  // triangle of the trailing block, which halves the memory traffic of this memory-bound loop.
  let haveP = false;
  for (let k = 0; k < n - 2; k++) {
    const vr = k * n;
    let beta: number;
    if (haveP) beta = betas[k]!;
    else {
      beta = makeReflector(w, vs, n, k, betas, offDiagonal);
      if (beta === 0) continue;
      p.fill(0, k + 1, n);
      for (let i = k + 1; i < n; i++) {
        const ri = i * n;
        const vi = vs[vr + i]!;
        let s = 0;
        for (let j = k + 1; j < i; j++) {
          const x = w[ri + j]!;
          s += x * vs[vr + j]!;
          p[j] = p[j]! + x * vi;
        }
        p[i] = p[i]! + s + w[ri + i]! * vi;
      }
      for (let i = k + 1; i < n; i++) p[i] = beta * p[i]!;
    }
    // w = p − (β/2)(pᵀv) v; then A₂₂ −= v wᵀ + w vᵀ.
    let pv = 0;
    for (let i = k + 1; i < n; i++) pv += p[i]! * vs[vr + i]!;
    const kk = 0.5 * beta * pv;
    for (let i = k + 1; i < n; i++) p[i] = p[i]! - kk * vs[vr + i]!;
    // Column k+1 first: it is the next reflector's input.
    const pk1 = p[k + 1]!;
    const vk1 = vs[vr + k + 1]!;
    for (let i = k + 1; i < n; i++) {
      const idx = i * n + k + 1;
      w[idx] = w[idx]! - vs[vr + i]! * pk1 - p[i]! * vk1;
    }
    const next = k + 1 < n - 2 ? makeReflector(w, vs, n, k + 1, betas, offDiagonal) : 0;
    haveP = next !== 0;
    const nr = (k + 1) * n;
    if (haveP) y.fill(0, k + 2, n);
    for (let i = k + 2; i < n; i++) {
      const ri = i * n;
      const vi = vs[vr + i]!;
      const pi = p[i]!;
      if (haveP) {
        const ni = vs[nr + i]!;
        let s = 0;
        for (let j = k + 2; j < i; j++) {
          const x = w[ri + j]! - vi * p[j]! - pi * vs[vr + j]!;
          w[ri + j] = x;
          s += x * vs[nr + j]!;
          y[j] = y[j]! + x * ni;
        }
        const xd = w[ri + i]! - 2 * vi * pi;
        w[ri + i] = xd;
        y[i] = y[i]! + s + xd * ni;
      } else {
        for (let j = k + 2; j <= i; j++) w[ri + j] = w[ri + j]! - vi * p[j]! - pi * vs[vr + j]!;
      }
    }
    if (haveP) {
      for (let i = k + 2; i < n; i++) y[i] = next * y[i]!;
      const swap = p;
      p = y;
      y = swap;
    }
  }
  for (let i = 0; i < n; i++) diagonal[i] = w[i * n + i]!;
  if (n >= 2) offDiagonal[n - 2] = w[(n - 1) * n + n - 2]!;
  if (!wantQ) return { diagonal, offDiagonal };

  // Q = H₀ H₁ ⋯ H_{n−3}, accumulated from the right end so each reflector touches only its own block.
  // Reflectors go two at a time (H_k H_{k+1} Q needs Qᵀv_k and Qᵀv_{k+1}, one read and one write pass).
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const t1 = new Float64Array(n);
  const t2 = new Float64Array(n);
  let k = n - 3;
  for (; k >= 1; k -= 2) {
    const k1 = k - 1;
    const b1 = betas[k1]!;
    const b2 = betas[k]!;
    const v1 = k1 * n;
    const v2 = k * n;
    // P = H_k Q = Q − b2 v2 t2ᵀ with t2 = Qᵀv2; H_{k−1} P = P − b1 v1 (Qᵀv1 − b2 (v1·v2) t2)ᵀ.
    t1.fill(0, k, n);
    t2.fill(0, k, n);
    let v12 = 0;
    for (let i = k + 1; i < n; i++) v12 += vs[v1 + i]! * vs[v2 + i]!;
    for (let i = k; i < n; i++) {
      const a1 = vs[v1 + i]!;
      const a2 = i > k ? vs[v2 + i]! : 0;
      if (a1 === 0 && a2 === 0) continue;
      const ri = i * n;
      for (let j = k; j < n; j++) {
        const x = q[ri + j]!;
        t1[j] = t1[j]! + a1 * x;
        t2[j] = t2[j]! + a2 * x;
      }
    }
    const c = b2 * v12;
    for (let j = k; j < n; j++) t1[j] = b1 * (t1[j]! - c * t2[j]!);
    for (let j = k; j < n; j++) t2[j] = b2 * t2[j]!;
    for (let i = k; i < n; i++) {
      const a1 = vs[v1 + i]!;
      const a2 = i > k ? vs[v2 + i]! : 0;
      if (a1 === 0 && a2 === 0) continue;
      const ri = i * n;
      for (let j = k; j < n; j++) q[ri + j] = q[ri + j]! - a2 * t2[j]! - a1 * t1[j]!;
    }
  }
  if (k === 0) {
    const beta = betas[0]!;
    if (beta !== 0) {
      t1.fill(0, 1, n);
      for (let i = 1; i < n; i++) {
        const vi = vs[i]!;
        if (vi === 0) continue;
        const ri = i * n;
        for (let j = 1; j < n; j++) t1[j] = t1[j]! + vi * q[ri + j]!;
      }
      for (let i = 1; i < n; i++) {
        const f = beta * vs[i]!;
        if (f === 0) continue;
        const ri = i * n;
        for (let j = 1; j < n; j++) q[ri + j] = q[ri + j]! - f * t1[j]!;
      }
    }
  }
  return { diagonal, offDiagonal, q };
}

/**
 * Turns column k of the work array below the diagonal (x = A[k+1…n−1][k]) into the Householder vector
 * v = x/scale − α e₁ with α = −sign(x₁)‖x/scale‖, stored in row k of `vs`; records β (H = I − β v vᵀ maps
 * x to α·scale·e₁) and the off-diagonal entry α·scale, and returns β (0 when x = 0: no reflection).
 */
function makeReflector(
  w: Float64Array,
  vs: Float64Array,
  n: number,
  k: number,
  betas: Float64Array,
  offDiagonal: Float64Array,
): number {
  const row = k * n;
  let scale = 0;
  for (let i = k + 1; i < n; i++) scale = Math.max(scale, Math.abs(w[i * n + k]!));
  if (scale === 0) {
    offDiagonal[k] = 0;
    betas[k] = 0;
    return 0;
  }
  let sigma2 = 0;
  for (let i = k + 1; i < n; i++) {
    const v = w[i * n + k]! / scale;
    vs[row + i] = v;
    sigma2 += v * v;
  }
  const sigma = Math.sqrt(sigma2);
  const x0 = vs[row + k + 1]!;
  const alpha = x0 >= 0 ? -sigma : sigma;
  vs[row + k + 1] = x0 - alpha;
  const beta = 1 / (sigma * (sigma + Math.abs(x0)));
  betas[k] = beta;
  offDiagonal[k] = alpha * scale;
  return beta;
}
