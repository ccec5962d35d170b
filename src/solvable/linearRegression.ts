import { cholesky, choleskySolve } from '../linalg/cholesky.js';
import type { MatrixLike } from '../linalg/matrixLike.js';
import { matmul } from '../linalg/matrixMultiply.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { createRng, type Rng } from '../util/random.js';
import { createGaussianDesign } from './gaussianDesign.js';
import { checkInteger, checkRange, checkVector } from './options.js';
import { type SolvableModel, traces } from './solvableModel.js';

/** Options of {@link createLinearRegression}. */
export interface LinearRegressionOptions {
  /** Number of parameters p (default 4). */
  dim?: number;
  /** Design covariance S of x ~ N(0, S) (default: diagonal, spread over [0.5, 2]). */
  designCovariance?: MatrixLike;
  /** True parameter θ₀ (default: standard normal draws from `seed`). */
  theta0?: ArrayLike<number>;
  /** Label-noise variance s² ≥ 0: y = xᵀθ₀ + ε, ε ~ N(0, s²) (default 4). */
  noiseVariance?: number;
  /** Fix a sample of this size and sample minibatches from it with replacement (default: fresh draws). */
  sampleSize?: number;
  /** Seed for θ₀ and the fixed sample (default 0). */
  seed?: number;
}

const OPTION_KEYS: OptionKeys<LinearRegressionOptions> = {
  dim: true,
  theta0: true,
  designCovariance: true,
  noiseVariance: true,
  sampleSize: true,
  seed: true,
};

/** The linear-regression model, with what the exact discrete-time analysis needs. */
export interface LinearRegressionModel extends SolvableModel {
  /** Identifies the model kind in results and tables. */
  readonly name: 'linear-regression';
  /** s². */
  readonly noiseVariance: number;
  /** S. */
  readonly designCovariance: Float64Array;
  /**
   * M(Σ) = E[(xᵀΣx) x xᵀ] over the sampling distribution (Gaussian: 2SΣS + tr(SΣ)S; finite sample: the
   * sample mean), the fourth-moment term of the minibatch Hessian's fluctuation.
   */
  fourthMoment(sigma: Float64Array): Float64Array;
}

/**
 * Linear regression with squared loss ℓ(θ; x, y) = ½(y − xᵀθ)², Gaussian design x ~ N(0, S) and label
 * noise of variance s².
 *
 * @remarks
 * Population mode: θ* = θ₀, H = S, f* = s²/2, and σ² = E[ε² x xᵀ] = **s²·H** — so the three-factor
 * Eq. (6) (which assumes σ² = H) is off from the four-factor Eq. (12) by the factor s². Finite-sample
 * mode: θ* is the least-squares fit, H = XᵀX/n and σ² = (1/n)Σ rᵢ² xᵢxᵢᵀ with residuals rᵢ, which is
 * s²H only approximately. f(θ) − f* = ½(θ − θ*)ᵀH(θ − θ*) exactly in both modes.
 *
 * @param options - dimension, design, noise, sampling mode, seed.
 * @throws RangeError for invalid options (naming the option).
 */
export function createLinearRegression(options: LinearRegressionOptions = {}): LinearRegressionModel {
  checkOptionKeys('createLinearRegression', options, OPTION_KEYS);
  const fn = 'createLinearRegression';
  const p = options.dim ?? 4;
  checkInteger(fn, 'dim', p, 1);
  const s2 = options.noiseVariance ?? 4;
  checkRange(fn, 'noiseVariance', s2, 0, Number.MAX_VALUE);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`${fn}: seed must be a finite number, got ${seed}`);
  const rng = createRng(seed);
  const design = createGaussianDesign(fn, p, options.designCovariance);
  const theta0 =
    options.theta0 !== undefined
      ? checkVector(fn, 'theta0', options.theta0, p)
      : Float64Array.from({ length: p }, () => rng.normal());
  const noiseSd = Math.sqrt(s2);
  const S = design.covariance;

  const quadratic = (
    h: Float64Array,
    center: Float64Array,
    theta: Float64Array,
  ): { value: number; grad: Float64Array } => {
    const grad = new Float64Array(p);
    let value = 0;
    for (let i = 0; i < p; i++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += h[i * p + k]! * (theta[k]! - center[k]!);
      grad[i] = s;
      value += 0.5 * s * (theta[i]! - center[i]!);
    }
    return { value, grad };
  };

  if (options.sampleSize === undefined) {
    const hessian = Float64Array.from(S);
    const gradientCovariance = S.map((v) => s2 * v);
    const x = new Float64Array(p);
    const model: LinearRegressionModel = {
      name: 'linear-regression',
      description: `linear regression, squared loss, label noise s² = ${s2}, fresh draws`,
      dim: p,
      sampling: 'population',
      thetaStar: theta0,
      minimumLoss: s2 / 2,
      hessian,
      gradientCovariance,
      ...traces(hessian, gradientCovariance, p),
      noiseVariance: s2,
      designCovariance: S,
      loss: (theta) => s2 / 2 + quadratic(S, theta0, theta).value,
      gradient: (theta) => quadratic(S, theta0, theta).grad,
      stochasticGradient(theta, batchSize, r: Rng, out) {
        out.fill(0);
        for (let b = 0; b < batchSize; b++) {
          design.sample(r, x);
          // Per-example gradient x(xᵀθ − y) with y = xᵀθ₀ + ε: x(xᵀ(θ − θ₀) − ε).
          let res = -noiseSd * r.normal();
          for (let i = 0; i < p; i++) res += x[i]! * (theta[i]! - theta0[i]!);
          for (let i = 0; i < p; i++) out[i] = out[i]! + res * x[i]!;
        }
        for (let i = 0; i < p; i++) out[i] = out[i]! / batchSize;
      },
      fourthMoment(sigma) {
        // E[(xᵀΣx) x xᵀ] = 2 SΣS + tr(SΣ) S for x ~ N(0, S) (Isserlis).
        const ss = matmul(S, sigma, p, p, p);
        const sss = matmul(ss, S, p, p, p);
        let tr = 0;
        for (let i = 0; i < p; i++) tr += ss[i * p + i]!;
        return sss.map((v, k) => 2 * v + tr * S[k]!);
      },
    };
    return model;
  }

  const n = options.sampleSize;
  checkInteger(fn, 'sampleSize', n, p + 1);
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  const xi = new Float64Array(p);
  for (let j = 0; j < n; j++) {
    design.sample(rng, xi);
    X.set(xi, j * p);
    let v = noiseSd * rng.normal();
    for (let i = 0; i < p; i++) v += xi[i]! * theta0[i]!;
    y[j] = v;
  }
  const hessian = new Float64Array(p * p);
  const xty = new Float64Array(p);
  for (let j = 0; j < n; j++) {
    const r = j * p;
    for (let a = 0; a < p; a++) {
      xty[a] = xty[a]! + (X[r + a]! * y[j]!) / n;
      for (let b = 0; b < p; b++) hessian[a * p + b] = hessian[a * p + b]! + (X[r + a]! * X[r + b]!) / n;
    }
  }
  let factor: Float64Array;
  try {
    factor = cholesky(hessian, p);
  } catch {
    throw new RangeError(`${fn}: the sample's XᵀX is singular; use a larger sampleSize`);
  }
  const thetaStar = choleskySolve(factor, xty);
  // Residuals at θ*, then σ² = (1/n) Σ rᵢ² xᵢxᵢᵀ − ḡḡᵀ (ḡ = −(1/n)Σ rᵢxᵢ vanishes up to rounding).
  const residuals = new Float64Array(n);
  const gbar = new Float64Array(p);
  let minimumLoss = 0;
  for (let j = 0; j < n; j++) {
    let v = y[j]!;
    for (let i = 0; i < p; i++) v -= X[j * p + i]! * thetaStar[i]!;
    residuals[j] = v;
    minimumLoss += (0.5 * v * v) / n;
    for (let i = 0; i < p; i++) gbar[i] = gbar[i]! - (v * X[j * p + i]!) / n;
  }
  const gradientCovariance = new Float64Array(p * p);
  for (let j = 0; j < n; j++) {
    const r2 = residuals[j]! ** 2 / n;
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) {
        gradientCovariance[a * p + b] = gradientCovariance[a * p + b]! + r2 * X[j * p + a]! * X[j * p + b]!;
      }
    }
  }
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++)
      gradientCovariance[a * p + b] = gradientCovariance[a * p + b]! - gbar[a]! * gbar[b]!;
  return {
    name: 'linear-regression',
    description: `linear regression, squared loss, label noise s² = ${s2}, ${n} examples sampled with replacement`,
    dim: p,
    sampling: 'finite-sample',
    sampleSize: n,
    thetaStar,
    minimumLoss,
    hessian,
    gradientCovariance,
    ...traces(hessian, gradientCovariance, p),
    noiseVariance: s2,
    designCovariance: S,
    loss: (theta) => minimumLoss + quadratic(hessian, thetaStar, theta).value,
    gradient: (theta) => quadratic(hessian, thetaStar, theta).grad,
    stochasticGradient(theta, batchSize, r: Rng, out) {
      out.fill(0);
      for (let b = 0; b < batchSize; b++) {
        const j = r.int(n);
        const row = j * p;
        let res = -y[j]!;
        for (let i = 0; i < p; i++) res += X[row + i]! * theta[i]!;
        for (let i = 0; i < p; i++) out[i] = out[i]! + res * X[row + i]!;
      }
      for (let i = 0; i < p; i++) out[i] = out[i]! / batchSize;
    },
    fourthMoment(sigma) {
      const out = new Float64Array(p * p);
      for (let j = 0; j < n; j++) {
        const row = j * p;
        let q = 0;
        for (let a = 0; a < p; a++) {
          let s = 0;
          for (let b = 0; b < p; b++) s += sigma[a * p + b]! * X[row + b]!;
          q += X[row + a]! * s;
        }
        q /= n;
        for (let a = 0; a < p; a++)
          for (let b = 0; b < p; b++) out[a * p + b] = out[a * p + b]! + q * X[row + a]! * X[row + b]!;
      }
      return out;
    },
  };
}
