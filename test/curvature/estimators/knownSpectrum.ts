import { type LinearOperator, matrixOperator } from '../../../src/curvature/linearOperator.js';
import { thinQR } from '../../../src/linalg/qr.js';
import { createRng } from '../../../src/util/random.js';

/** A dense symmetric test matrix A = Q·diag(λ)·Qᵀ with a seeded random orthogonal Q. */
export interface KnownSpectrumMatrix {
  op: ReturnType<typeof matrixOperator>;
  /** Row-major n×n entries of A. */
  data: Float64Array;
  /** The eigenvalues as given. */
  eigenvalues: Float64Array;
  /** Column-major Q: eigenvector i is q[i·n … (i+1)·n). */
  q: Float64Array;
  n: number;
  trace: number;
  /** A·v, synchronously (the dense reference for checks). */
  multiply(v: Float64Array): Float64Array;
}

/**
 * Builds A = Q·diag(λ)·Qᵀ in float64 with Q from the Householder QR of a seeded Gaussian matrix (Haar
 * distributed up to the sign convention), so traces and spectra are known exactly.
 */
export function knownSpectrum(eigenvalues: ArrayLike<number>, seed: number): KnownSpectrumMatrix {
  const n = eigenvalues.length;
  const rng = createRng(seed);
  const g = Float64Array.from({ length: n * n }, () => rng.normal());
  const { q } = thinQR(g, n, n);
  const lambda = Float64Array.from(eigenvalues);
  const data = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const lk = lambda[k]!;
    const off = k * n;
    for (let i = 0; i < n; i++) {
      const c = lk * q[off + i]!;
      for (let j = 0; j < n; j++) data[i * n + j] = data[i * n + j]! + c * q[off + j]!;
    }
  }
  // Symmetrize exactly so that rounding in the sum does not make A slightly non-symmetric.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (data[i * n + j]! + data[j * n + i]!);
      data[i * n + j] = v;
      data[j * n + i] = v;
    }
  }
  let trace = 0;
  for (let i = 0; i < n; i++) trace += data[i * n + i]!;
  const multiply = (v: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += data[i * n + j]! * v[j]!;
      out[i] = acc;
    }
    return out;
  };
  return { op: matrixOperator({ data, size: n }), data, eigenvalues: lambda, q, n, trace, multiply };
}

/** Mean and standard error of the mean of a list of numbers. */
export function meanAndSE(xs: number[]): { mean: number; se: number; rms?: number } {
  const k = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / k;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (k - 1);
  return { mean, se: Math.sqrt(variance / k) };
}

/**
 * P(|T| ≤ c) for Student's t with ν degrees of freedom: with t = √ν·tan θ the density becomes
 * ∝ cos^(ν−1) θ on [0, π/2), a smooth integrand that composite Simpson handles to ~1e-10.
 */
export function studentTCoverage(nu: number, c: number): number {
  const integral = (upper: number): number => {
    const steps = 2000;
    const h = upper / steps;
    let s = 0;
    for (let i = 0; i <= steps; i++) {
      const w = i === 0 || i === steps ? 1 : i % 2 ? 4 : 2;
      s += w * Math.cos(i * h) ** (nu - 1);
    }
    return (s * h) / 3;
  };
  return integral(Math.atan(c / Math.sqrt(nu))) / integral(Math.PI / 2);
}

/** Wraps an operator so that every vector it is applied to is recorded (copied) in `inputs`. */
export function recordingOperator(op: LinearOperator): {
  dim: number;
  matvec(v: Float64Array): Promise<Float64Array>;
  inputs: Float64Array[];
} {
  const inputs: Float64Array[] = [];
  return {
    dim: op.dim,
    inputs,
    // Async on purpose: real operators (Hessian–vector products) are, and estimators must await them.
    matvec: async (v) => {
      inputs.push(Float64Array.from(v));
      return await op.matvec(v);
    },
  };
}
