// Plain-JS float64 reference implementations of the layers of a tiny conv net (NHWC), independent of
// tfjs, used as oracles for the double-backprop tests: forward passes here, derivatives by central
// differences in float64.

/** A dense NHWC (or any-rank, row-major) float64 tensor. */
export interface Tensor64 {
  values: Float64Array;
  shape: number[];
}

/** A zero tensor of the given shape. */
export function zeros64(shape: number[]): Tensor64 {
  return { values: new Float64Array(shape.reduce((a, b) => a * b, 1)), shape };
}

/** tfjs' 'same' / 'valid' output size and leading padding of one spatial axis. */
export function axisGeometry(size: number, k: number, s: number, pad: 'same' | 'valid') {
  if (pad === 'valid') return { out: Math.floor((size - k) / s) + 1, before: 0 };
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/** 2-D convolution (cross-correlation, as tfjs), NHWC input, [kh, kw, cin, cout] filter, optional bias. */
export function conv2d64(
  x: Tensor64,
  w: Tensor64,
  stride: number,
  pad: 'same' | 'valid',
  bias?: Float64Array,
): Tensor64 {
  const [n, h, wd, ci] = x.shape as [number, number, number, number];
  const [kh, kw, wci, co] = w.shape as [number, number, number, number];
  if (wci !== ci) throw new Error(`conv2d64: filter expects ${wci} input channels, x has ${ci}`);
  const rows = axisGeometry(h, kh, stride, pad);
  const cols = axisGeometry(wd, kw, stride, pad);
  const out = zeros64([n, rows.out, cols.out, co]);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < rows.out; r++) {
      for (let q = 0; q < cols.out; q++) {
        const o = ((b * rows.out + r) * cols.out + q) * co;
        for (let oc = 0; oc < co; oc++) out.values[o + oc] = bias ? bias[oc]! : 0;
        for (let i = 0; i < kh; i++) {
          const y = r * stride + i - rows.before;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xx = q * stride + j - cols.before;
            if (xx < 0 || xx >= wd) continue;
            const xo = ((b * h + y) * wd + xx) * ci;
            for (let c = 0; c < ci; c++) {
              const xv = x.values[xo + c]!;
              const wo = ((i * kw + j) * ci + c) * co;
              for (let oc = 0; oc < co; oc++) out.values[o + oc]! += xv * w.values[wo + oc]!;
            }
          }
        }
      }
    }
  }
  return out;
}

/** Average pooling as tfjs' cpu and wasm kernels compute it: the mean over the in-bounds window pixels. */
export function avgPool64(x: Tensor64, size: number, stride: number, pad: 'same' | 'valid'): Tensor64 {
  const [n, h, wd, c] = x.shape as [number, number, number, number];
  const rows = axisGeometry(h, size, stride, pad);
  const cols = axisGeometry(wd, size, stride, pad);
  const out = zeros64([n, rows.out, cols.out, c]);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < rows.out; r++) {
      for (let q = 0; q < cols.out; q++) {
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          let count = 0;
          for (let i = 0; i < size; i++) {
            const y = r * stride + i - rows.before;
            if (y < 0 || y >= h) continue;
            for (let j = 0; j < size; j++) {
              const xx = q * stride + j - cols.before;
              if (xx < 0 || xx >= wd) continue;
              sum += x.values[((b * h + y) * wd + xx) * c + ch]!;
              count++;
            }
          }
          out.values[((b * rows.out + r) * cols.out + q) * c + ch] = sum / count;
        }
      }
    }
  }
  return out;
}

/**
 * The adjoint of tfjs' AvgPoolGrad kernel applied to u: for each output window, (1 / window area) × the
 * sum of u over its in-bounds pixels (both tfjs kernels divide by the full area even at padded edges).
 */
export function avgPoolGradAdjoint64(
  u: Tensor64,
  size: number,
  stride: number,
  pad: 'same' | 'valid',
): Tensor64 {
  const [n, h, wd, c] = u.shape as [number, number, number, number];
  const rows = axisGeometry(h, size, stride, pad);
  const cols = axisGeometry(wd, size, stride, pad);
  const out = zeros64([n, rows.out, cols.out, c]);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < rows.out; r++) {
      for (let q = 0; q < cols.out; q++) {
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let i = 0; i < size; i++) {
            const y = r * stride + i - rows.before;
            if (y < 0 || y >= h) continue;
            for (let j = 0; j < size; j++) {
              const xx = q * stride + j - cols.before;
              if (xx < 0 || xx >= wd) continue;
              sum += u.values[((b * h + y) * wd + xx) * c + ch]!;
            }
          }
          out.values[((b * rows.out + r) * cols.out + q) * c + ch] = sum / (size * size);
        }
      }
    }
  }
  return out;
}

/**
 * Batch normalization over all axes but the last: with `stats` omitted, the batch mean and biased
 * variance (training mode, as tf.moments and tfjs-layers compute them); otherwise the given statistics.
 */
export function batchNorm64(
  x: Tensor64,
  gamma: Float64Array,
  beta: Float64Array,
  epsilon: number,
  stats?: { mean: Float64Array; variance: Float64Array },
): Tensor64 {
  const c = x.shape[x.shape.length - 1]!;
  const count = x.values.length / c;
  let mean = stats?.mean;
  let variance = stats?.variance;
  if (mean === undefined || variance === undefined) {
    mean = new Float64Array(c);
    variance = new Float64Array(c);
    for (let i = 0; i < x.values.length; i++) mean[i % c]! += x.values[i]! / count;
    for (let i = 0; i < x.values.length; i++) variance[i % c]! += (x.values[i]! - mean[i % c]!) ** 2 / count;
  }
  const out = zeros64(x.shape);
  for (let i = 0; i < x.values.length; i++) {
    const ch = i % c;
    out.values[i] =
      ((x.values[i]! - mean[ch]!) / Math.sqrt(variance[ch]! + epsilon)) * gamma[ch]! + beta[ch]!;
  }
  return out;
}

/** Elementwise max(0, x); also records the sign pattern so callers can check no kink was crossed. */
export function relu64(x: Tensor64, signs?: boolean[]): Tensor64 {
  const out = zeros64(x.shape);
  for (let i = 0; i < x.values.length; i++) {
    const v = x.values[i]!;
    signs?.push(v > 0);
    out.values[i] = Math.max(v, 0);
  }
  return out;
}

/** Elementwise sum of two tensors of one shape. */
export function add64(a: Tensor64, b: Tensor64): Tensor64 {
  const out = zeros64(a.shape);
  for (let i = 0; i < a.values.length; i++) out.values[i] = a.values[i]! + b.values[i]!;
  return out;
}

/** [n, k] = [n, d] · [d, k] + bias. */
export function dense64(x: Tensor64, w: Tensor64, bias: Float64Array): Tensor64 {
  const [n, d] = [x.shape[0]!, x.values.length / x.shape[0]!];
  const k = w.shape[1]!;
  const out = zeros64([n, k]);
  for (let b = 0; b < n; b++) {
    for (let j = 0; j < k; j++) {
      let s = bias[j]!;
      for (let i = 0; i < d; i++) s += x.values[b * d + i]! * w.values[i * k + j]!;
      out.values[b * k + j] = s;
    }
  }
  return out;
}

/** Mean over the batch of the cross-entropy −log softmax(z)[label] (row-wise, numerically stable). */
export function softmaxCrossEntropy64(logits: Tensor64, labels: readonly number[]): number {
  const [n, k] = logits.shape as [number, number];
  let total = 0;
  for (let b = 0; b < n; b++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits.values[b * k + j]!);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(logits.values[b * k + j]! - max);
    total += -(logits.values[b * k + labels[b]!]! - max - Math.log(sum));
  }
  return total / n;
}

/**
 * The Hessian-vector product H·v of `f` at `w` by central second differences in float64, one coordinate
 * at a time: (Hv)_i ≈ [f(w+hv+he_i) − f(w+hv−he_i) − f(w−hv+he_i) + f(w−hv−he_i)] / (4h²).
 *
 * @remarks The truncation error is O(h²) and the rounding error O(ε·|f|/h²); with h = 1e-4 and ‖v‖ = 1
 * both are below 1e-7 relative for the smooth pieces of the tiny nets used here.
 */
export function centralDifferenceHvp(
  f: (w: Float64Array) => number,
  w: Float64Array,
  v: Float64Array,
  h: number,
) {
  const out = new Float64Array(w.length);
  const point = new Float64Array(w.length);
  const at = (sv: number, i: number, si: number) => {
    for (let j = 0; j < w.length; j++) point[j] = w[j]! + sv * h * v[j]!;
    point[i]! += si * h;
    return f(point);
  };
  for (let i = 0; i < w.length; i++) {
    out[i] = (at(1, i, 1) - at(1, i, -1) - at(-1, i, 1) + at(-1, i, -1)) / (4 * h * h);
  }
  return out;
}
