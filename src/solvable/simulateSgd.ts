import { symmetricEigen } from '../linalg/symmetricEigen.js';
import { assertPositive, assertPositiveInteger } from '../theory/validate.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { createRng } from '../util/random.js';
import { checkInteger } from './options.js';
import type { SolvableModel } from './solvableModel.js';

/** Options of {@link simulateSgd}. */
export interface SgdSimulationOptions {
  /** Learning rate δ > 0. */
  lr: number;
  /** Batch size m (positive integer). */
  batchSize: number;
  /** Seed of the sampling stream (default 0). */
  seed?: number;
  /** Number of batches for the batch-means standard errors (default 40). */
  numBatches?: number;
  /** SGD steps per batch (default ⌈25τ⌉ with τ = 1/(δ·λ_min(H)), the slowest relaxation time in steps). */
  batchLength?: number;
  /** Steps discarded before recording, starting from θ* (default ⌈10τ⌉). */
  burnIn?: number;
  /**
   * Evaluate f(θ) and |∇f(θ)|² every this many steps (default max(1, ⌊τ/10⌋)): successive iterates are
   * correlated over τ steps, so thinning loses almost nothing and saves the cost of exact f evaluations.
   * The covariance is accumulated at every step.
   */
  recordEvery?: number;
  /** Called now and then with the number of steps done and the total. */
  onProgress?: (done: number, total: number) => void;
}

const OPTION_KEYS: OptionKeys<SgdSimulationOptions> = {
  lr: true,
  batchSize: true,
  seed: true,
  numBatches: true,
  batchLength: true,
  burnIn: true,
  recordEvery: true,
  onProgress: true,
};

/** A mean with its standard error. */
export interface BatchMeansEstimate {
  /** The estimate. */
  mean: number;
  /** Standard error from batch means: sd(batch means)/√(number of batches). */
  standardError: number;
}

/** What {@link simulateSgd} measured at stationarity. */
export interface SgdSimulationResult {
  /** Learning rate δ used. */
  lr: number;
  /** Batch size m used. */
  batchSize: number;
  /** Steps recorded (numBatches × batchLength). */
  steps: number;
  /** Steps discarded before recording. */
  burnIn: number;
  /** Number of batches behind the standard errors. */
  numBatches: number;
  /** Steps per batch. */
  batchLength: number;
  /** f and ∇f were evaluated every this many steps. */
  recordEvery: number;
  /** E f(θ) − f*. */
  excessLoss: BatchMeansEstimate;
  /** E |∇f(θ)|². */
  gradNormSq: BatchMeansEstimate;
  /** E[u uᵀ] for u = (m/δ)^{1/2}(θ − θ*) (p×p row-major): compare with Γ(∞). */
  scaledCovariance: Float64Array;
  /** Entrywise standard errors of `scaledCovariance`. */
  scaledCovarianceStandardError: Float64Array;
  /** E u, the stationary bias of θ in the same scaling (zero for linear regression). */
  scaledMean: Float64Array;
  /** Standard errors of `scaledMean`. */
  scaledMeanStandardError: Float64Array;
}

/** Hard cap on the number of steps a default configuration may ask for. */
const MAX_STEPS = 50_000_000;

/**
 * Runs plain SGD θ ← θ − δ·ĝ(θ) on a solvable model (ĝ: the mean gradient of m examples drawn fresh or
 * with replacement) at stationarity and measures E f − f*, E|∇f|² and the covariance of
 * (m/δ)^{1/2}(θ − θ*), with standard errors from non-overlapping batch means.
 *
 * @remarks
 * SGD starts at θ*; after the burn-in the recorded steps are split into `numBatches` consecutive
 * batches, each much longer than the relaxation time, so that batch means are nearly independent and
 * their spread gives honest standard errors despite the strong autocorrelation of the iterates.
 *
 * @param model - the model (see `createLinearRegression`, `createLogisticRegression`).
 * @param options - learning rate, batch size, run lengths, seed.
 * @throws RangeError for invalid options, for δ·λ_max(H) ≥ 2 (SGD diverges), or when the default run
 *   length would exceed 5·10⁷ steps (pass `batchLength` explicitly).
 */
export function simulateSgd(model: SolvableModel, options: SgdSimulationOptions): SgdSimulationResult {
  checkOptionKeys('simulateSgd', options, OPTION_KEYS);
  const fn = 'simulateSgd';
  const { lr, batchSize } = options;
  assertPositive(fn, 'lr', lr);
  assertPositiveInteger(fn, 'batchSize', batchSize);
  const p = model.dim;
  const { values } = symmetricEigen(model.hessian, p, { vectors: false });
  const lambdaMin = values[0]!;
  const lambdaMax = values[p - 1]!;
  if (!(lambdaMin > 0))
    throw new RangeError(`${fn}: the model's Hessian is not positive definite (λ_min = ${lambdaMin})`);
  if (!(lr * lambdaMax < 2)) {
    throw new RangeError(
      `${fn}: lr·λ_max(H) = ${(lr * lambdaMax).toPrecision(4)} ≥ 2: SGD diverges; use lr < ${(2 / lambdaMax).toPrecision(4)}`,
    );
  }
  const tau = 1 / (lr * lambdaMin);
  const numBatches = options.numBatches ?? 40;
  checkInteger(fn, 'numBatches', numBatches, 2);
  const batchLength = options.batchLength ?? Math.ceil(25 * tau);
  checkInteger(fn, 'batchLength', batchLength, 1);
  const burnIn = options.burnIn ?? Math.ceil(10 * tau);
  checkInteger(fn, 'burnIn', burnIn, 0);
  const recordEvery = options.recordEvery ?? Math.max(1, Math.floor(tau / 10));
  checkInteger(fn, 'recordEvery', recordEvery, 1);
  if (recordEvery > batchLength) {
    throw new RangeError(`${fn}: recordEvery (${recordEvery}) must not exceed batchLength (${batchLength})`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`${fn}: seed must be a finite number, got ${seed}`);
  const total = burnIn + numBatches * batchLength;
  if (options.batchLength === undefined && total > MAX_STEPS) {
    throw new RangeError(
      `${fn}: the default run length (${total} steps, relaxation time ${tau.toFixed(0)} steps) exceeds ${MAX_STEPS}; pass batchLength and burnIn explicitly`,
    );
  }

  const rng = createRng(seed);
  const thetaStar = model.thetaStar;
  const fStar = model.minimumLoss;
  const theta = Float64Array.from(thetaStar);
  const g = new Float64Array(p);
  const u = new Float64Array(p);
  const scale = Math.sqrt(batchSize / lr);
  const batchLoss = new Float64Array(numBatches);
  const batchGrad = new Float64Array(numBatches);
  const batchMean = new Float64Array(numBatches * p);
  const batchSecond = new Float64Array(numBatches * p * p);
  const sumU = new Float64Array(p);
  const sumUU = new Float64Array(p * p);
  const progressEvery = Math.max(1, Math.floor(total / 200));
  let done = 0;
  const step = (): void => {
    model.stochasticGradient(theta, batchSize, rng, g);
    for (let i = 0; i < p; i++) theta[i] = theta[i]! - lr * g[i]!;
    done++;
    if (options.onProgress && done % progressEvery === 0) options.onProgress(done, total);
  };
  for (let k = 0; k < burnIn; k++) step();
  for (let b = 0; b < numBatches; b++) {
    sumU.fill(0);
    sumUU.fill(0);
    let lossSum = 0;
    let gradSum = 0;
    let records = 0;
    for (let k = 0; k < batchLength; k++) {
      step();
      for (let i = 0; i < p; i++) u[i] = scale * (theta[i]! - thetaStar[i]!);
      for (let i = 0; i < p; i++) {
        const ui = u[i]!;
        sumU[i] = sumU[i]! + ui;
        const row = i * p;
        for (let j = i; j < p; j++) sumUU[row + j] = sumUU[row + j]! + ui * u[j]!;
      }
      if ((k + 1) % recordEvery === 0) {
        lossSum += model.loss(theta) - fStar;
        const gr = model.gradient(theta);
        let gn = 0;
        for (let i = 0; i < p; i++) gn += gr[i]! * gr[i]!;
        gradSum += gn;
        records++;
      }
    }
    batchLoss[b] = lossSum / records;
    batchGrad[b] = gradSum / records;
    for (let i = 0; i < p; i++) {
      batchMean[b * p + i] = sumU[i]! / batchLength;
      for (let j = i; j < p; j++) {
        const v = sumUU[i * p + j]! / batchLength;
        batchSecond[b * p * p + i * p + j] = v;
        batchSecond[b * p * p + j * p + i] = v;
      }
    }
  }
  options.onProgress?.(total, total);

  const estimate = (xs: Float64Array, offset: number, stride: number): BatchMeansEstimate => {
    let mean = 0;
    for (let b = 0; b < numBatches; b++) mean += xs[b * stride + offset]!;
    mean /= numBatches;
    let v = 0;
    for (let b = 0; b < numBatches; b++) v += (xs[b * stride + offset]! - mean) ** 2;
    v /= numBatches - 1;
    return { mean, standardError: Math.sqrt(v / numBatches) };
  };
  const scaledCovariance = new Float64Array(p * p);
  const scaledCovarianceStandardError = new Float64Array(p * p);
  for (let k = 0; k < p * p; k++) {
    const e = estimate(batchSecond, k, p * p);
    scaledCovariance[k] = e.mean;
    scaledCovarianceStandardError[k] = e.standardError;
  }
  const scaledMean = new Float64Array(p);
  const scaledMeanStandardError = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const e = estimate(batchMean, i, p);
    scaledMean[i] = e.mean;
    scaledMeanStandardError[i] = e.standardError;
  }
  return {
    lr,
    batchSize,
    steps: numBatches * batchLength,
    burnIn,
    numBatches,
    batchLength,
    recordEvery,
    excessLoss: estimate(batchLoss, 0, 1),
    gradNormSq: estimate(batchGrad, 0, 1),
    scaledCovariance,
    scaledCovarianceStandardError,
    scaledMean,
    scaledMeanStandardError,
  };
}
