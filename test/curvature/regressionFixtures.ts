// Linear and logistic (softmax) regression as tfjs Dense models, with their per-example gradients and
// Hessians in closed form, computed in float64 plain JS from the model's own float32 weights: the
// independent truth the curvature and gradient-noise tests compare against.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Dataset } from '../../src/data/dataset.js';
import type { LossFunction, LossName, LossSpec } from '../../src/train/losses.js';
import { createRng } from '../../src/util/random.js';

/**
 * - `'linear'`: linear outputs z, loss (1/k)·Σ(z − onehot)² as a function ({@link meanSquaredError}).
 * - `'logistic'`: logits z, loss −log softmax(z)_y as a function ({@link softmaxCrossEntropy}).
 * - `'softmax'`: a softmax output layer and the library's named loss (`lossName`, default `'kld'`).
 * - `'logits'`: logits and the library's named `'crossEntropy'` (from logits).
 */
export type RegressionKind = 'linear' | 'logistic' | 'softmax' | 'logits';

export interface RegressionProblem {
  kind: RegressionKind;
  model: tfl.LayersModel;
  data: Dataset;
  /** The loss to pass as `options.loss`. */
  loss: LossSpec;
  /** The named loss of the `'softmax'` and `'logits'` kinds. */
  lossName?: LossName;
  /** Inputs as float64 rows (what the model sees, rounded to float32 already). */
  x: Float64Array[];
  labels: number[];
  d: number;
  k: number;
  lambda: number;
  dispose(): void;
}

/** ℓ = (1/k)·Σⱼ (zⱼ − onehot(y)ⱼ)², linear outputs z. */
export const meanSquaredError: LossFunction = (target, outputs) =>
  tf.tidy(() => {
    return tf.mean(tf.square(tf.sub(outputs, target)), -1) as tf.Tensor1D;
  });

/**
 * e^x as expm1(x) + 1. tfjs 4.22 loses second-order terms through ops whose gradient reuses their own
 * output (Exp, Softmax, Tanh, Sigmoid, Pow, Max, Min, Elu, LogSoftmax): the engine records the saved
 * output's clone on the tape before the op itself, so a second backward pass visits them out of order.
 * Expm1's gradient recomputes e^x from its saved input, which double backprop handles correctly.
 */
export function exactExp(x: tf.Tensor): tf.Tensor {
  return tf.add(tf.expm1(x), 1);
}

/**
 * ℓ = log Σⱼ exp(zⱼ) − z_y on logits z, built from ops whose second derivatives tfjs gets right (see
 * {@link exactExp}; no max-shift either, whose mask op Equal has no gradient). The fixtures' logits are
 * small, so the unshifted form is accurate.
 */
export const softmaxCrossEntropy: LossFunction = (target, outputs) =>
  tf.tidy(() => {
    return tf.sub(tf.log(tf.sum(exactExp(outputs), -1)), tf.sum(tf.mul(target, outputs), -1)) as tf.Tensor1D;
  });

export interface ProblemOptions {
  n?: number;
  d?: number;
  k?: number;
  lambda?: number;
  seed?: number;
  /** Scale of the initial weights (larger = further from the minimum, more varied gradients). */
  weightScale?: number;
  /** The named loss of a `'softmax'` problem; default `'kld'`. */
  lossName?: LossName;
}

/** A regression problem: inputs [n,1,1,d] (so the Dataset's Tensor4D layout is kept), k outputs. */
export function regressionProblem(kind: RegressionKind, options: ProblemOptions = {}): RegressionProblem {
  const { n = 12, d = 3, k = 3, lambda = 0.05, seed = 1, weightScale = 0.7 } = options;
  const lossName: LossName | undefined =
    kind === 'softmax' ? (options.lossName ?? 'kld') : kind === 'logits' ? 'crossEntropy' : undefined;
  const rng = createRng(seed);
  const xs = new Float32Array(n * d);
  for (let i = 0; i < xs.length; i++) xs[i] = rng.normal();
  const labels = Array.from({ length: n }, () => rng.int(k));
  const model = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [1, 1, d] }),
      tfl.layers.dense({
        units: k,
        kernelRegularizer: tfl.regularizers.l2({ l2: lambda }),
        kernelInitializer: 'zeros',
        activation: kind === 'softmax' ? 'softmax' : 'linear',
      }),
    ],
  });
  const kernel = new Float32Array(d * k).map(() => weightScale * rng.normal());
  const bias = new Float32Array(k).map(() => weightScale * rng.normal());
  const initial = [tf.tensor2d(kernel, [d, k]), tf.tensor1d(bias)];
  model.setWeights(initial);
  tf.dispose(initial);
  const data: Dataset = {
    images: tf.tensor4d(xs, [n, 1, 1, d]),
    labels: tf.tensor1d(labels, 'int32'),
    numClasses: k,
  };
  const x = Array.from({ length: n }, (_, i) => Float64Array.from(xs.subarray(i * d, (i + 1) * d)));
  return {
    kind,
    model,
    data,
    loss: lossName ?? (kind === 'linear' ? meanSquaredError : softmaxCrossEntropy),
    ...(lossName !== undefined ? { lossName } : {}),
    x,
    labels,
    d,
    k,
    lambda,
    dispose() {
      tf.dispose([data.images, data.labels]);
      model.dispose();
    },
  };
}

/** The model's current kernel [d][k] and bias [k] in float64. */
function weightsOf(p: RegressionProblem): { W: Float64Array; b: Float64Array } {
  const [kernel, bias] = p.model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
  return { W: Float64Array.from(kernel!), b: Float64Array.from(bias!) };
}

/** Per example: dℓ/dz and d²ℓ/dz² (k×k row-major), and ℓ. */
function outputDerivatives(
  p: RegressionProblem,
  i: number,
): { loss: number; dz: Float64Array; hz: Float64Array } {
  const { W, b } = weightsOf(p);
  const { d, k } = p;
  const xi = p.x[i]!;
  const z = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = b[j]!;
    for (let a = 0; a < d; a++) s += xi[a]! * W[a * k + j]!;
    z[j] = s;
  }
  const y = p.labels[i]!;
  const dz = new Float64Array(k);
  const hz = new Float64Array(k * k);
  let loss = 0;
  if (p.kind === 'linear') {
    for (let j = 0; j < k; j++) {
      const r = z[j]! - (j === y ? 1 : 0);
      loss += (r * r) / k;
      dz[j] = (2 / k) * r;
      hz[j * k + j] = 2 / k;
    }
    return { loss, dz, hz };
  }
  const max = Math.max(...z);
  const e = Array.from(z, (v) => Math.exp(v - max));
  const sum = e.reduce((s, v) => s + v, 0);
  const prob = e.map((v) => v / sum);
  const t = (j: number) => (j === y ? 1 : 0);
  if (p.lossName === 'squaredError') {
    // ℓ = Σⱼ (pⱼ − tⱼ)²; ∂pⱼ/∂z_a = pⱼ(δⱼₐ − pₐ); ∂²pⱼ/∂z_a∂z_b = pⱼ[(δⱼₐ − pₐ)(δⱼ_b − p_b) − pₐ(δₐ_b − p_b)].
    const J = (j: number, a: number) => prob[j]! * ((j === a ? 1 : 0) - prob[a]!);
    for (let j = 0; j < k; j++) loss += (prob[j]! - t(j)) ** 2;
    for (let a = 0; a < k; a++) {
      for (let j = 0; j < k; j++) dz[a]! += 2 * (prob[j]! - t(j)) * J(j, a);
      for (let b = 0; b < k; b++) {
        let h = 0;
        for (let j = 0; j < k; j++) {
          const second =
            prob[j]! *
            (((j === a ? 1 : 0) - prob[a]!) * ((j === b ? 1 : 0) - prob[b]!) -
              prob[a]! * ((a === b ? 1 : 0) - prob[b]!));
          h += 2 * J(j, a) * J(j, b) + 2 * (prob[j]! - t(j)) * second;
        }
        hz[a * k + b] = h;
      }
    }
    return { loss, dz, hz };
  }
  // −log p_y: the custom and named cross-entropies, and Keras' KL divergence against a one-hot target
  // (whose clipped zeros add terms of order 1e-7, far below the tests' tolerances).
  loss = -Math.log(prob[y]!);
  for (let j = 0; j < k; j++) {
    dz[j] = prob[j]! - t(j);
    for (let l = 0; l < k; l++) hz[j * k + l] = (j === l ? prob[j]! : 0) - prob[j]! * prob[l]!;
  }
  return { loss, dz, hz };
}

/** Flat dimension: kernel d·k then bias k. */
export function dimOf(p: RegressionProblem): number {
  return (p.d + 1) * p.k;
}

/** x̃ = [x, 1]: kernel row a ↔ x_a, bias ↔ row d, so θ index = a·k + j. */
function augmented(p: RegressionProblem, i: number): Float64Array {
  const out = new Float64Array(p.d + 1);
  out.set(p.x[i]!);
  out[p.d] = 1;
  return out;
}

/** ∇ℓᵢ (data loss of example i, no penalty). */
export function exampleGradient(p: RegressionProblem, i: number): Float64Array {
  const { dz } = outputDerivatives(p, i);
  const xt = augmented(p, i);
  const g = new Float64Array(dimOf(p));
  for (let a = 0; a <= p.d; a++) for (let j = 0; j < p.k; j++) g[a * p.k + j] = xt[a]! * dz[j]!;
  return g;
}

export function exampleLoss(p: RegressionProblem, i: number): number {
  return outputDerivatives(p, i).loss;
}

/** Dense Hessian of the objective (1/n)Σℓᵢ (+ λ‖W‖² when `regularized`), row-major. */
export function objectiveHessian(p: RegressionProblem, regularized: boolean): Float64Array {
  const n = p.x.length;
  const D = dimOf(p);
  const H = new Float64Array(D * D);
  for (let i = 0; i < n; i++) {
    const { hz } = outputDerivatives(p, i);
    const xt = augmented(p, i);
    for (let a = 0; a <= p.d; a++)
      for (let j = 0; j < p.k; j++)
        for (let c = 0; c <= p.d; c++)
          for (let l = 0; l < p.k; l++)
            H[(a * p.k + j) * D + c * p.k + l]! += (xt[a]! * xt[c]! * hz[j * p.k + l]!) / n;
  }
  if (regularized) for (let q = 0; q < p.d * p.k; q++) H[q * D + q]! += 2 * p.lambda;
  return H;
}

/** Gradient of the objective and its value. */
export function objectiveGradient(
  p: RegressionProblem,
  regularized: boolean,
): { loss: number; gradient: Float64Array } {
  const n = p.x.length;
  const g = new Float64Array(dimOf(p));
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const gi = exampleGradient(p, i);
    for (let q = 0; q < g.length; q++) g[q]! += gi[q]! / n;
    loss += exampleLoss(p, i) / n;
  }
  if (regularized) {
    const { W } = weightsOf(p);
    for (let q = 0; q < W.length; q++) {
      g[q]! += 2 * p.lambda * W[q]!;
      loss += p.lambda * W[q]! * W[q]!;
    }
  }
  return { loss, gradient: g };
}

/** The population covariance σ² = (1/n)Σ(gᵢ − ḡ)(gᵢ − ḡ)ᵀ, dense row-major. */
export function gradientCovariance(p: RegressionProblem): Float64Array {
  const n = p.x.length;
  const D = dimOf(p);
  const gs = Array.from({ length: n }, (_, i) => exampleGradient(p, i));
  const mean = new Float64Array(D);
  for (const g of gs) for (let q = 0; q < D; q++) mean[q]! += g[q]! / n;
  const S = new Float64Array(D * D);
  for (const g of gs)
    for (let a = 0; a < D; a++)
      for (let b = 0; b < D; b++) S[a * D + b]! += ((g[a]! - mean[a]!) * (g[b]! - mean[b]!)) / n;
  return S;
}

export function matVec(A: Float64Array, v: Float64Array): Float64Array {
  const D = v.length;
  const out = new Float64Array(D);
  for (let a = 0; a < D; a++) {
    let s = 0;
    for (let b = 0; b < D; b++) s += A[a * D + b]! * v[b]!;
    out[a] = s;
  }
  return out;
}

export function trace(A: Float64Array, D: number): number {
  let s = 0;
  for (let a = 0; a < D; a++) s += A[a * D + a]!;
  return s;
}

/** tr(AB) for dense D×D matrices. */
export function traceOfProduct(A: Float64Array, B: Float64Array, D: number): number {
  let s = 0;
  for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) s += A[a * D + b]! * B[b * D + a]!;
  return s;
}

export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/** max |a − b| / max(|b|_∞, floor). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

export function randomVector(D: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: D }, () => rng.normal());
}
