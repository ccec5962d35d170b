import { cholesky, choleskySolve } from '../linalg/cholesky.js';
import type { MatrixLike } from '../linalg/matrixLike.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { createRng } from '../util/random.js';
import { createGaussianDesign } from './gaussianDesign.js';
import { NORMAL_NODES, NORMAL_WEIGHTS, normalExpectation, sigmoid, softplus } from './normalExpectation.js';
import { checkInteger, checkRange, checkVector } from './options.js';
import { type SolvableModel, traces } from './solvableModel.js';

/** Options of {@link createLogisticRegression}. */
export interface LogisticRegressionOptions {
  /** Number of parameters p (default 4). */
  dim?: number;
  /** Design covariance S of x ~ N(0, S) (default: diagonal, spread over [0.5, 2]). */
  designCovariance?: MatrixLike;
  /** True parameter θ₀ (default: a random direction from `seed`, scaled to `signal`). */
  theta0?: ArrayLike<number>;
  /** Standard deviation of the true logit xᵀθ₀ when θ₀ is drawn (default 2). */
  signal?: number;
  /**
   * Probability ε ∈ [0, ½) that a label is flipped: P(y = 1 | x) = ε + (1 − 2ε)·sigmoid(xᵀθ₀). With ε > 0
   * the logistic model is misspecified (default 0: well specified).
   */
  labelFlip?: number;
  /** Fix a sample of this size and sample minibatches from it with replacement (default: fresh draws). */
  sampleSize?: number;
  /** Seed for θ₀ and the fixed sample (default 0). */
  seed?: number;
}

const OPTION_KEYS: OptionKeys<LogisticRegressionOptions> = {
  dim: true,
  theta0: true,
  designCovariance: true,
  signal: true,
  labelFlip: true,
  sampleSize: true,
  seed: true,
};

/** The logistic-regression model. */
export interface LogisticRegressionModel extends SolvableModel {
  /** Identifies the model kind in results and tables. */
  readonly name: 'logistic-regression';
  /** ε. */
  readonly labelFlip: number;
  /** True when the model is well specified (ε = 0), where σ² = H at the population optimum. */
  readonly wellSpecified: boolean;
  /** θ₀. */
  readonly theta0: Float64Array;
}

/**
 * Logistic regression with log loss ℓ(θ; x, y) = log(1 + e^{xᵀθ}) − y·xᵀθ, y ∈ {0, 1}, Gaussian design
 * x ~ N(0, S), labels from a logistic model with true parameter θ₀, optionally flipped with probability ε.
 *
 * @remarks
 * Population mode (fresh draws): because x is Gaussian, every expectation reduces to one dimension.
 * With w₀ = xᵀθ₀ ~ N(0, v₀), a = Sθ₀ and the decomposition x = (a/v₀)w₀ + x⊥ (x⊥ independent of w₀),
 * the minimizer is θ* = cθ₀ with c solving E[(sigmoid(cw₀) − q(w₀))w₀] = 0 (c = 1 when well specified),
 * and for any g, E[g(w₀) xxᵀ] = E[g](S − aaᵀ/v₀) + E[g w₀²] aaᵀ/v₀². This gives H (g = p(1 − p),
 * p = sigmoid(cw₀)) and σ² (g = E[(y − p)² | w₀] = q(1 − p)² + (1 − q)p²); when well specified q = p and
 * **σ² = H exactly** — the log-loss case where Eq. (6) and Eq. (12) agree. f and ∇f at any θ use Stein's
 * identity with a single one-dimensional integral; all integrals use a trapezoidal rule that is exact
 * to float64 precision here (see `normalExpectation`). Finite-sample mode: θ* by Newton's method on the
 * empirical risk, and H, σ² as sample averages.
 *
 * @param options - dimension, design, signal, label flips, sampling mode, seed.
 * @throws RangeError for invalid options; Error if the finite sample is separable (no minimizer).
 */
export function createLogisticRegression(options: LogisticRegressionOptions = {}): LogisticRegressionModel {
  checkOptionKeys('createLogisticRegression', options, OPTION_KEYS);
  const fn = 'createLogisticRegression';
  const p = options.dim ?? 4;
  checkInteger(fn, 'dim', p, 1);
  const eps = options.labelFlip ?? 0;
  checkRange(fn, 'labelFlip', eps, 0, 0.5, true);
  const signal = options.signal ?? 2;
  checkRange(fn, 'signal', signal, Number.MIN_VALUE, 10);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`${fn}: seed must be a finite number, got ${seed}`);
  const rng = createRng(seed);
  const design = createGaussianDesign(fn, p, options.designCovariance);
  const S = design.covariance;
  const sv = (v: Float64Array): Float64Array => {
    const out = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += S[i * p + k]! * v[k]!;
      out[i] = s;
    }
    return out;
  };
  const dot = (u: Float64Array, v: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < p; i++) s += u[i]! * v[i]!;
    return s;
  };
  let theta0: Float64Array;
  if (options.theta0 !== undefined) theta0 = checkVector(fn, 'theta0', options.theta0, p);
  else {
    theta0 = Float64Array.from({ length: p }, () => rng.normal());
    const scale = signal / Math.sqrt(dot(theta0, sv(theta0)));
    theta0 = theta0.map((v) => v * scale);
  }
  const a = sv(theta0);
  const v0 = dot(theta0, a);
  if (!(v0 > 0)) throw new RangeError(`${fn}: theta0 must be non-zero`);
  if (Math.sqrt(v0) > 10)
    throw new RangeError(`${fn}: the true logit's standard deviation ${Math.sqrt(v0)} exceeds 10`);
  const q = (w0: number): number => eps + (1 - 2 * eps) * sigmoid(w0);
  const wellSpecified = eps === 0;
  const x = new Float64Array(p);

  const addExampleGradient = (
    theta: Float64Array,
    out: Float64Array,
    xs: Float64Array,
    label: number,
  ): void => {
    let w = 0;
    for (let i = 0; i < p; i++) w += xs[i]! * theta[i]!;
    const g = sigmoid(w) - label;
    for (let i = 0; i < p; i++) out[i] = out[i]! + g * xs[i]!;
  };

  if (options.sampleSize === undefined) {
    const sd0 = Math.sqrt(v0);
    // c solves E[(sigmoid(c w₀) − q(w₀)) w₀] = 0; g is increasing in c, g(0) < 0.
    const g = (c: number): number => normalExpectation((z) => (sigmoid(c * sd0 * z) - q(sd0 * z)) * sd0 * z);
    const dg = (c: number): number =>
      normalExpectation((z) => {
        const s = sigmoid(c * sd0 * z);
        return s * (1 - s) * v0 * z * z;
      });
    let c = 1;
    if (!wellSpecified) {
      let lo = 0;
      let hi = 1;
      while (g(hi) < 0) hi *= 2;
      for (let iter = 0; iter < 200; iter++) {
        const gc = g(c);
        if (gc < 0) lo = c;
        else hi = c;
        const step = gc / dg(c);
        let next = c - step;
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        if (Math.abs(next - c) <= 1e-15 * c) {
          c = next;
          break;
        }
        c = next;
      }
    }
    const thetaStar = theta0.map((v) => c * v);
    // E[g(w₀) xxᵀ] = E[g](S − aaᵀ/v₀) + E[g w₀²] aaᵀ/v₀².
    const outer = (e0: number, e2: number): Float64Array => {
      const m = new Float64Array(p * p);
      for (let i = 0; i < p; i++) {
        for (let k = 0; k < p; k++) {
          const aa = a[i]! * a[k]!;
          m[i * p + k] = e0 * (S[i * p + k]! - aa / v0) + (e2 * aa) / (v0 * v0);
        }
      }
      return m;
    };
    let phi0 = 0;
    let phi2 = 0;
    let psi0 = 0;
    let psi2 = 0;
    let qw = 0;
    for (let k = 0; k < NORMAL_NODES.length; k++) {
      const w0 = sd0 * NORMAL_NODES[k]!;
      const wt = NORMAL_WEIGHTS[k]!;
      const pp = sigmoid(c * w0);
      const qq = q(w0);
      const phi = pp * (1 - pp);
      const psi = qq * (1 - pp) ** 2 + (1 - qq) * pp * pp;
      phi0 += wt * phi;
      phi2 += wt * phi * w0 * w0;
      psi0 += wt * psi;
      psi2 += wt * psi * w0 * w0;
      qw += wt * qq * w0;
    }
    const hessian = outer(phi0, phi2);
    const gradientCovariance = wellSpecified ? Float64Array.from(hessian) : outer(psi0, psi2);
    // f(θ) = E softplus(xᵀθ) − (θ·a / v₀) E[q(w₀) w₀];  ∇f(θ) = Sθ E sigmoid′(xᵀθ) − a E[q(w₀)w₀]/v₀.
    const loss = (theta: Float64Array): number => {
      const st = sv(theta);
      const sd = Math.sqrt(Math.max(dot(theta, st), 0));
      return normalExpectation((z) => softplus(sd * z)) - (dot(theta, a) / v0) * qw;
    };
    const gradient = (theta: Float64Array): Float64Array => {
      const st = sv(theta);
      const sd = Math.sqrt(Math.max(dot(theta, st), 0));
      const e = normalExpectation((z) => {
        const s = sigmoid(sd * z);
        return s * (1 - s);
      });
      return st.map((v, i) => v * e - (a[i]! * qw) / v0);
    };
    return {
      name: 'logistic-regression',
      description: wellSpecified
        ? 'logistic regression, log loss, well specified, fresh draws'
        : `logistic regression, log loss, misspecified (labels flipped with probability ${eps}), fresh draws`,
      dim: p,
      sampling: 'population',
      thetaStar,
      minimumLoss: loss(thetaStar),
      hessian,
      gradientCovariance,
      ...traces(hessian, gradientCovariance, p),
      labelFlip: eps,
      wellSpecified,
      theta0,
      loss,
      gradient,
      stochasticGradient(theta, batchSize, r, out) {
        out.fill(0);
        for (let b = 0; b < batchSize; b++) {
          design.sample(r, x);
          let w0 = 0;
          for (let i = 0; i < p; i++) w0 += x[i]! * theta0[i]!;
          const label = r.nextDouble() < q(w0) ? 1 : 0;
          addExampleGradient(theta, out, x, label);
        }
        for (let i = 0; i < p; i++) out[i] = out[i]! / batchSize;
      },
    };
  }

  const n = options.sampleSize;
  checkInteger(fn, 'sampleSize', n, p + 1);
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    design.sample(rng, x);
    X.set(x, j * p);
    let w0 = 0;
    for (let i = 0; i < p; i++) w0 += x[i]! * theta0[i]!;
    y[j] = rng.nextDouble() < q(w0) ? 1 : 0;
  }
  const logits = (theta: Float64Array): Float64Array => {
    const w = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < p; i++) s += X[j * p + i]! * theta[i]!;
      w[j] = s;
    }
    return w;
  };
  const loss = (theta: Float64Array): number => {
    const w = logits(theta);
    let s = 0;
    for (let j = 0; j < n; j++) s += softplus(w[j]!) - y[j]! * w[j]!;
    return s / n;
  };
  const gradient = (theta: Float64Array): Float64Array => {
    const w = logits(theta);
    const gr = new Float64Array(p);
    for (let j = 0; j < n; j++) {
      const r = (sigmoid(w[j]!) - y[j]!) / n;
      for (let i = 0; i < p; i++) gr[i] = gr[i]! + r * X[j * p + i]!;
    }
    return gr;
  };
  /** (1/n) Σ g(wⱼ, yⱼ) xⱼxⱼᵀ. */
  const weightedGram = (theta: Float64Array, weight: (w: number, label: number) => number): Float64Array => {
    const w = logits(theta);
    const m = new Float64Array(p * p);
    for (let j = 0; j < n; j++) {
      const c = weight(w[j]!, y[j]!) / n;
      const row = j * p;
      for (let i = 0; i < p; i++)
        for (let k = 0; k < p; k++) m[i * p + k] = m[i * p + k]! + c * X[row + i]! * X[row + k]!;
    }
    return m;
  };
  const curvature = (w: number): number => {
    const s = sigmoid(w);
    return s * (1 - s);
  };
  // Newton's method with backtracking on the convex empirical risk.
  let theta = new Float64Array(p);
  let f = loss(theta);
  let converged = false;
  for (let iter = 0; iter < 100; iter++) {
    const gr = gradient(theta);
    let factor: Float64Array;
    try {
      factor = cholesky(weightedGram(theta, curvature), p);
    } catch {
      break;
    }
    const step = choleskySolve(factor, gr);
    let size = 0;
    let norm = 0;
    for (let i = 0; i < p; i++) {
      size = Math.max(size, Math.abs(step[i]!));
      norm = Math.max(norm, Math.abs(theta[i]!));
    }
    if (norm > 1e3) break;
    if (size <= 1e-12 * (1 + norm)) {
      // Quadratic convergence: this full step lands at the minimizer to rounding error.
      theta = theta.map((v, i) => v - step[i]!);
      f = loss(theta);
      converged = true;
      break;
    }
    // Backtracking, tolerating rounding-level increases (near the minimum f changes by ~1e-16).
    let t = 1;
    let next = theta.map((v, i) => v - step[i]!);
    let fNext = loss(next);
    while (fNext > f + 1e-15 * Math.abs(f) && t > 1e-10) {
      t /= 2;
      next = theta.map((v, i) => v - t * step[i]!);
      fNext = loss(next);
    }
    theta = next;
    f = fNext;
  }
  if (!converged) {
    throw new Error(
      `${fn}: Newton's method did not converge: the sample looks separable (no finite minimizer); use a larger sampleSize or a weaker signal`,
    );
  }
  const thetaStar = theta;
  const hessian = weightedGram(thetaStar, curvature);
  const gbar = gradient(thetaStar);
  const gradientCovariance = weightedGram(thetaStar, (w, label) => (sigmoid(w) - label) ** 2);
  for (let i = 0; i < p; i++)
    for (let k = 0; k < p; k++)
      gradientCovariance[i * p + k] = gradientCovariance[i * p + k]! - gbar[i]! * gbar[k]!;
  return {
    name: 'logistic-regression',
    description: `logistic regression, log loss, ${wellSpecified ? 'well specified' : `misspecified (labels flipped with probability ${eps})`}, ${n} examples sampled with replacement`,
    dim: p,
    sampling: 'finite-sample',
    sampleSize: n,
    thetaStar,
    minimumLoss: f,
    hessian,
    gradientCovariance,
    ...traces(hessian, gradientCovariance, p),
    labelFlip: eps,
    wellSpecified,
    theta0,
    loss,
    gradient,
    stochasticGradient(th, batchSize, r, out) {
      out.fill(0);
      for (let b = 0; b < batchSize; b++) {
        const j = r.int(n);
        addExampleGradient(th, out, X.subarray(j * p, (j + 1) * p), y[j]!);
      }
      for (let i = 0; i < p; i++) out[i] = out[i]! / batchSize;
    },
  };
}
