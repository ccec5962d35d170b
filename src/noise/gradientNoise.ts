import type { LayersModel } from '@tensorflow/tfjs-layers';
import { batchedUnsupportedReason } from '../curvature/batched/layerTaps.js';
import { exampleGradientNorms } from '../curvature/batchedExampleGradients.js';
import { batchGradient, forEachExampleGradient, weightedGradientSum } from '../curvature/exampleGradients.js';
import {
  type HessianOperator,
  hessianOperator,
  type ObjectiveGradient,
} from '../curvature/hessianOperator.js';
import {
  OBJECTIVE_OPTION_KEYS,
  type ObjectiveOptions,
  objectiveOptionsOf,
  type TrainingObjective,
  trainingObjective,
} from '../curvature/trainingObjective.js';
import type { Dataset } from '../data/dataset.js';
import { validateDataset } from '../data/validateDataset.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import type { ProgressEvent, ProgressListener, ProgressUnit } from '../util/progress.js';
import { createRng, type Rng } from '../util/random.js';
import { type Estimate, exactEstimate } from './estimate.js';
import { pairedRatio, ratioWithStandardError, sampleMean } from './statistics.js';

/**
 * How tr σ² is measured:
 * - `'perExample'`: exactly over the given examples, from one batch-of-one gradient per example;
 * - `'minibatch'`: from K sampled mini-batch gradients g_B, as m·E‖g_B − ḡ‖²;
 * - `'twoBatch'`: McCandlish et al. (2018), from the squared norms of small- and large-batch gradients,
 *   without ḡ.
 */
export type NoiseMethod = 'perExample' | 'minibatch' | 'twoBatch';

/** Every {@link NoiseMethod}. */
export const NOISE_METHODS: readonly NoiseMethod[] = ['perExample', 'minibatch', 'twoBatch'];

/** A progress report of a long measurement: the library's one {@link ProgressEvent}, under its old name. */
export type MeasureProgress = ProgressEvent;

/** Options for {@link gradientNoise}. */
export interface GradientNoiseOptions extends ObjectiveOptions {
  /** How tr σ² is measured; default `'perExample'`. */
  method?: NoiseMethod;
  /** Seed of the sampled mini-batches and random signs; default 0. */
  seed?: number;
  /** Examples per mini-batch m (`'minibatch'`), or the small batch B_small (`'twoBatch'`); default 32. */
  minibatchSize?: number;
  /** Number of mini-batches K (`'minibatch'`) or of batch pairs (`'twoBatch'`); default 32. */
  minibatches?: number;
  /**
   * `'minibatch'` only: draw each mini-batch's m examples uniformly with replacement (default true) or as m
   * distinct examples (then the finite-population factor (n−1)/(n−m) is applied).
   */
  replacement?: boolean;
  /** `'twoBatch'` only: the large batch B_big, a multiple ≥ 2 of `minibatchSize`; default 4·minibatchSize. */
  largeBatchSize?: number;
  /**
   * Random vectors (each one Hessian–vector product) for tr(σ²H); default 10; 0 skips tr(σ²H) (here
   * only: `measureMinimum` always measures it and needs ≥ 1).
   */
  sigmaHProbes?: number;
  /** Called as the work proceeds, stage by stage (`'gradient'`, `'traceSigma'`, `'traceSigmaH'`). */
  onProgress?: ProgressListener;
}

/** Every key of {@link GradientNoiseOptions}, for {@link checkOptionKeys}. */
const OPTION_KEYS: OptionKeys<GradientNoiseOptions> = {
  ...OBJECTIVE_OPTION_KEYS,
  method: true,
  seed: true,
  minibatchSize: true,
  minibatches: true,
  replacement: true,
  largeBatchSize: true,
  sigmaHProbes: true,
  onProgress: true,
};

/** The result of {@link gradientNoise}. */
export interface GradientNoise {
  /** tr σ², σ² the covariance of per-example gradients, unbiased (n/(n−1) times the 1/n covariance). */
  traceSigma: Estimate & { method: NoiseMethod };
  /** tr(σ²H), H the Hessian of the objective (absent when `sigmaHProbes` is 0). Eq. (13) of the paper. */
  traceSigmaH?: Estimate;
  /** |∇f|² of the objective over all examples (exact). */
  gradNormSq: Estimate;
  /** f, the objective over all examples (exact). */
  loss: Estimate;
  /** McCandlish's simple noise scale B_simple = tr σ² / |∇f|², with the exact |∇f|². */
  bSimple: Estimate;
  /** `'twoBatch'` only: the method's own estimate of |∇f|² and its B_simple (ratio of the two estimates). */
  twoBatch?: { gradNormSq: Estimate; bSimple: Estimate };
  /** Number of examples n. */
  examples: number;
  /**
   * `'perExample'` only: tr σ²_bb of every trainable weight's diagonal block, in `model.trainableWeights`
   * order, unbiased as `traceSigma`; from the same per-example gradients, so they sum to it (up to float64
   * rounding).
   */
  blockTraceSigma?: Float64Array;
  /**
   * `'perExample'` only: how the per-example gradients were computed — `'batched'` (one forward and one
   * backward pass per chunk, {@link exampleGradientNorms}) or `'loop'` (one batch-of-one pass per
   * example, for models with layers the batched pass does not support).
   */
  perExamplePath?: 'batched' | 'loop';
}

function positiveInteger(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`gradientNoise: options.${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** m distinct indices from [0, n), by a partial Fisher–Yates shuffle. */
function distinctIndices(rng: Rng, n: number, m: number): Int32Array {
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, m);
}

function indicesWithReplacement(rng: Rng, n: number, m: number): Int32Array {
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) out[i] = rng.int(n);
  return out;
}

/** uᵀHu for each u (scaled differences of gradients), with progress. */
async function quadraticForms(
  hessian: HessianOperator,
  vectors: AsyncIterable<Float64Array>,
  total: number,
  report: (stage: string, done: number, total: number) => void,
): Promise<Float64Array> {
  const values = new Float64Array(total);
  let k = 0;
  report('traceSigmaH', 0, total);
  for await (const u of vectors) {
    values[k] = dot(u, await hessian.matvec(u));
    k++;
    report('traceSigmaH', k, total);
  }
  return values;
}

/**
 * uₖᵀHuₖ for the random-sign probes uₖ = Σᵢ sₖᵢdᵢ/√(n−1), and a covering variance for them: with
 * M = DᵀHD/(n−1) (D the centred per-example gradients), Var(uᵀHu) = 2·Σ_{i≠j}M²ᵢⱼ ≤ 2‖M‖²_F =
 * 2·E[(uₖᵀHuₗ)²] for independent k ≠ l, so 2·mean_{k≠l}(uₖᵀHuₗ)² estimates an upper bound of the per-probe
 * variance from K(K−1)/2 pairs, free given the products (the probes are kept: K vectors of the parameter
 * dimension). The sample variance of the skewed draws uₖᵀHuₖ runs low; see {@link gradientNoise}.
 */
async function signProbeForms(
  hessian: HessianOperator,
  vectors: AsyncIterable<Float64Array>,
  total: number,
  report: (stage: string, done: number, total: number) => void,
): Promise<{ values: Float64Array; pairBoundVariance: number | undefined }> {
  const values = new Float64Array(total);
  const kept: Float64Array[] = [];
  let pairSquares = 0;
  report('traceSigmaH', 0, total);
  for await (const u of vectors) {
    const hu = await hessian.matvec(u);
    for (const previous of kept) pairSquares += dot(previous, hu) ** 2;
    values[kept.length] = dot(u, hu);
    kept.push(u);
    report('traceSigmaH', kept.length, total);
  }
  const pairs = (total * (total - 1)) / 2;
  return { values, pairBoundVariance: pairs > 0 ? (2 * pairSquares) / pairs : undefined };
}

/**
 * Measures the gradient noise of a model at its current parameters over the given examples: tr σ² (by
 * one of three methods), tr(σ²H), |∇f|², f and the simple noise scale B_simple.
 *
 * @remarks
 * σ² is the covariance of the per-example gradients gᵢ of the data loss. All methods report the unbiased
 * tr σ² = (1/(n−1))·Σᵢ‖gᵢ − ḡ‖² (n/(n−1) times the trace of the 1/n covariance), an estimate of the
 * covariance of the distribution the examples are drawn from.
 *
 * - `'perExample'`: exact over the examples (standard error 0), from the per-example squared gradient
 *   norms and the mean gradient in one forward and one backward pass per chunk ({@link exampleGradientNorms};
 *   cost about that of one gradient over the examples). For a model with a layer that pass does not
 *   support, one batch-of-one backward pass per example instead, accumulated by Welford's update
 *   (`perExamplePath` in the result says which ran; both agree to float32 rounding).
 * - `'minibatch'`: K mini-batches of m examples; each sample is m·c·‖g_B − ḡ‖², with ḡ the exact mean
 *   gradient. With replacement E‖g_B − ḡ‖² = tr σ²ₙ/m (σ²ₙ the 1/n covariance), so c = n/(n−1). Without
 *   replacement E‖g_B − ḡ‖² = (tr σ²ₙ/m)·(n−m)/(n−1): the finite-population factor (n−1)/(n−m) recovers
 *   tr σ²ₙ, so c = n/(n−m). Standard error from the K samples.
 * - `'twoBatch'` (McCandlish et al. 2018, appendix A): pairs of a large batch of B_big examples made of
 *   B_big/B_small independent small batches (all drawn with replacement, as data-parallel workers would
 *   see them). With E‖g_B‖² = |G|² + tr σ²ₙ/B, each pair gives S = (‖g_small‖² − ‖g_big‖²)/(1/B_small −
 *   1/B_big) and |G|² = (B_big‖g_big‖² − B_small‖g_small‖²)/(B_big − B_small), both unbiased; here the
 *   gradients include the regularization gradient when the objective does, so |G|² estimates |∇f|².
 *
 * tr(σ²H) = E[uᵀHu] for random u with E[uuᵀ] = σ², one Hessian–vector product each:
 * `'perExample'` uses random sign combinations u = Σᵢ sᵢ(gᵢ − ḡ)/√(n−1) (one weighted backward pass over
 * the data each, no per-example gradient stored); its standard error is the larger of the sample SE and
 * √(2·mean_{k≠l}(uₖᵀHuₗ)²/K), an estimate of an upper bound of the exact per-probe spread from all pairs
 * of probes (the sample SD of these skewed draws runs low; see docs/measuring.md); the mini-batch
 * methods use u = √(m·c)·(g_B − ḡ) of their first `sigmaHProbes` (small) batches.
 *
 * All per-example and mini-batch gradients evaluate batch normalization in inference mode (a single
 * example has no batch statistics, and all methods must estimate the same σ²); `bnMode` and
 * `includeRegularization` define the objective whose Hessian, gradient and value are reported. The
 * penalty's gradient is the same for every example, so it never enters σ².
 *
 * @param model - a built tfjs-layers model.
 * @param data - the examples (n ≥ 2).
 * @param options - objective (loss, batchSize, bnMode, includeRegularization), method and its sizes, seed.
 */
export async function gradientNoise(
  model: LayersModel,
  data: Dataset,
  options: GradientNoiseOptions = {},
): Promise<GradientNoise> {
  checkOptionKeys('gradientNoise', options, OPTION_KEYS);
  validateDataset(data, { caller: 'gradientNoise', argument: 'data' }, model);
  const method = options.method ?? 'perExample';
  if (!['perExample', 'minibatch', 'twoBatch'].includes(method)) {
    throw new RangeError(
      `gradientNoise: options.method must be 'perExample', 'minibatch' or 'twoBatch', got '${String(method)}'`,
    );
  }
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`gradientNoise: options.seed must be finite, got ${seed}`);
  const m = positiveInteger('minibatchSize', options.minibatchSize ?? 32);
  const batches = positiveInteger('minibatches', options.minibatches ?? 32);
  const replacement = options.replacement ?? true;
  const sigmaHProbes = positiveInteger('sigmaHProbes', options.sigmaHProbes ?? 10, 0);
  const large = options.largeBatchSize ?? 4 * m;
  if (method === 'twoBatch' && (!Number.isInteger(large) || large < 2 * m || large % m !== 0)) {
    throw new RangeError(
      `gradientNoise: options.largeBatchSize must be a multiple ≥ 2 of minibatchSize (${m}), got ${large}`,
    );
  }
  if (method !== 'perExample' && sigmaHProbes > batches) {
    throw new RangeError(
      `gradientNoise: options.sigmaHProbes (${sigmaHProbes}) cannot exceed options.minibatches (${batches}) with method '${method}'`,
    );
  }

  const objectiveOptions = objectiveOptionsOf(options);
  const hessian = hessianOperator(model, data, objectiveOptions);
  const objective = hessian.objective;
  const n = objective.n;
  if (n < 2) throw new RangeError(`gradientNoise: needs at least 2 examples, got ${n}`);
  if (method === 'minibatch' && !replacement && m >= n) {
    throw new RangeError(
      `gradientNoise: without replacement options.minibatchSize (${m}) must be below the number of examples (${n})`,
    );
  }
  // Per-example and mini-batch gradients always use inference-mode batch normalization.
  const noiseObjective: TrainingObjective =
    objective.bnMode === 'inference'
      ? objective
      : trainingObjective(model, data, { ...objectiveOptions, bnMode: 'inference' }, 'gradientNoise');

  const units: Record<string, ProgressUnit> = {
    gradient: 'passes',
    traceSigma: method === 'perExample' ? 'examples' : 'batches',
    traceSigmaH: 'matvecs',
  };
  const report = (stage: string, done: number, total: number) =>
    options.onProgress?.({ stage, done, total, unit: units[stage] ?? 'passes' });
  const rng = createRng(seed);
  const batchRng = rng.fork();
  const signRng = rng.fork();

  report('gradient', 0, 1);
  const full: ObjectiveGradient = await hessian.lossAndGradient();
  const noiseFull: ObjectiveGradient =
    noiseObjective === objective
      ? full
      : await hessianOperator(model, data, { ...objectiveOptions, bnMode: 'inference' }).lossAndGradient();
  report('gradient', 1, 1);
  const gradNormSq = exactEstimate(full.gradNormSq, n);
  const loss = exactEstimate(full.loss, n);

  let traceSigma: Estimate;
  let traceSigmaH: Estimate | undefined;
  let twoBatch: GradientNoise['twoBatch'];

  let perExamplePath: GradientNoise['perExamplePath'];
  let blockTraceSigma: Float64Array | undefined;

  if (method === 'perExample') {
    perExamplePath = batchedUnsupportedReason(noiseObjective) === undefined ? 'batched' : 'loop';
    const onExamples = (done: number) => report('traceSigma', done, n);
    report('traceSigma', 0, n);
    const { mean, sumOfSquares, blockSumOfSquares } =
      perExamplePath === 'batched'
        ? await batchedCentredSquares(noiseObjective, onExamples)
        : await welfordCentredSquares(noiseObjective, onExamples);
    traceSigma = exactEstimate(sumOfSquares / (n - 1), n);
    blockTraceSigma = blockSumOfSquares.map((s) => s / (n - 1));
    if (sigmaHProbes > 0) {
      const scale = 1 / Math.sqrt(n - 1);
      async function* probes(): AsyncIterable<Float64Array> {
        for (let p = 0; p < sigmaHProbes; p++) {
          const signs = new Float64Array(n);
          let sum = 0;
          for (let i = 0; i < n; i++) sum += signs[i] = signRng.sign();
          const u = await weightedGradientSum(noiseObjective, signs);
          for (let q = 0; q < u.length; q++) u[q] = (u[q]! - sum * mean[q]!) * scale;
          yield u;
        }
      }
      const { values, pairBoundVariance } = await signProbeForms(hessian, probes(), sigmaHProbes, report);
      const { mean: estimate, standardError: sampleSe } = sampleMean(values);
      const standardError =
        pairBoundVariance === undefined
          ? sampleSe
          : Math.max(sampleSe, Math.sqrt(pairBoundVariance / sigmaHProbes));
      traceSigmaH = { estimate, standardError, samples: sigmaHProbes, matvecs: sigmaHProbes, examples: n };
    }
  } else if (method === 'minibatch') {
    const c = replacement ? n / (n - 1) : n / (n - m);
    const center = noiseFull.dataGradient;
    const samples = new Float64Array(batches);
    const kept: Float64Array[] = [];
    report('traceSigma', 0, batches);
    for (let b = 0; b < batches; b++) {
      const indices = replacement ? indicesWithReplacement(batchRng, n, m) : distinctIndices(batchRng, n, m);
      const d = await batchGradient(noiseObjective, indices, false);
      let normSq = 0;
      for (let q = 0; q < d.length; q++) {
        d[q]! -= center[q]!;
        normSq += d[q]! * d[q]!;
      }
      samples[b] = m * c * normSq;
      if (b < sigmaHProbes) kept.push(d.map((x) => x * Math.sqrt(m * c)));
      report('traceSigma', b + 1, batches);
    }
    const { mean, standardError } = sampleMean(samples);
    traceSigma = { estimate: mean, standardError, samples: batches, matvecs: 0, examples: batches * m };
    traceSigmaH = await sigmaHFromVectors(hessian, kept, m, report);
  } else {
    const ratio = large / m;
    const c = n / (n - 1);
    const center = noiseFull.gradient;
    const sSamples = new Float64Array(batches);
    const gSamples = new Float64Array(batches);
    const kept: Float64Array[] = [];
    report('traceSigma', 0, batches);
    for (let b = 0; b < batches; b++) {
      const big = new Float64Array(objective.dim);
      let smallNormSq = 0;
      for (let j = 0; j < ratio; j++) {
        const g = await batchGradient(
          noiseObjective,
          indicesWithReplacement(batchRng, n, m),
          noiseObjective.includeRegularization,
        );
        smallNormSq += dot(g, g) / ratio;
        for (let q = 0; q < g.length; q++) big[q]! += g[q]! / ratio;
        if (j === 0 && b < sigmaHProbes) kept.push(g.map((x, q) => (x - center[q]!) * Math.sqrt(m * c)));
      }
      const bigNormSq = dot(big, big);
      sSamples[b] = (c * (smallNormSq - bigNormSq)) / (1 / m - 1 / large);
      gSamples[b] = (large * bigNormSq - m * smallNormSq) / (large - m);
      report('traceSigma', b + 1, batches);
    }
    const s = sampleMean(sSamples);
    const g = sampleMean(gSamples);
    const cost = { samples: batches, matvecs: 0, examples: batches * large };
    traceSigma = { estimate: s.mean, standardError: s.standardError, ...cost };
    twoBatch = {
      gradNormSq: { estimate: g.mean, standardError: g.standardError, ...cost },
      bSimple: { ...pairedRatio(sSamples, gSamples), ...cost },
    };
    traceSigmaH = await sigmaHFromVectors(hessian, kept, m, report);
  }

  const bSimple = ratioWithStandardError(traceSigma, gradNormSq);
  return {
    traceSigma: { ...traceSigma, method },
    ...(traceSigmaH !== undefined ? { traceSigmaH } : {}),
    gradNormSq,
    loss,
    bSimple: { ...bSimple, samples: traceSigma.samples, matvecs: 0, examples: traceSigma.examples },
    ...(twoBatch !== undefined ? { twoBatch } : {}),
    examples: n,
    ...(blockTraceSigma !== undefined ? { blockTraceSigma } : {}),
    ...(perExamplePath !== undefined ? { perExamplePath } : {}),
  };
}

/** The mean gradient ḡ and Σᵢ‖gᵢ − ḡ‖² of the per-example gradients, in total and per trainable weight. */
interface CentredSquares {
  mean: Float64Array;
  sumOfSquares: number;
  /** Σᵢ‖g_{i,b} − ḡ_b‖² of each trainable weight b (they sum to `sumOfSquares`). */
  blockSumOfSquares: Float64Array;
}

/** [start, end) of every trainable weight's coordinates in the flat parameter vector. */
function variableRanges(objective: TrainingObjective): [number, number][] {
  let offset = 0;
  return objective.variables.map((v) => {
    const range: [number, number] = [offset, offset + v.size];
    offset += v.size;
    return range;
  });
}

/**
 * From the batched per-example squared norms: Σᵢ‖gᵢ − ḡ‖² = Σᵢ‖gᵢ‖² − n‖ḡ‖², in float64. The subtraction
 * loses the digits that ‖ḡ‖² shares with the mean ‖gᵢ‖²: about log10(1 + B_simple⁻¹) of float32's seven,
 * a fraction of a digit wherever the noise scale B_simple is above 1 (at any minimum SGD finds).
 */
async function batchedCentredSquares(
  objective: TrainingObjective,
  onExamples: (done: number) => void,
): Promise<CentredSquares> {
  const n = objective.n;
  const { squaredNorms, blockSquaredNorms, gradientSum } = await exampleGradientNorms(objective, onExamples);
  const mean = gradientSum.map((x) => x / n);
  let total = 0;
  for (let i = 0; i < n; i++) total += squaredNorms[i]!;
  const blockSumOfSquares = Float64Array.from(variableRanges(objective), ([start, end], b) => {
    let meanSq = 0;
    for (let q = start; q < end; q++) meanSq += mean[q]! * mean[q]!;
    return blockSquaredNorms[b]! - n * meanSq;
  });
  return { mean, sumOfSquares: total - n * dot(mean, mean), blockSumOfSquares };
}

/** By Welford's update over one batch-of-one gradient per example, storing no gradient. */
async function welfordCentredSquares(
  objective: TrainingObjective,
  onExamples: (done: number) => void,
): Promise<CentredSquares> {
  const mean = new Float64Array(objective.dim);
  const ranges = variableRanges(objective);
  const blockSumOfSquares = new Float64Array(ranges.length);
  let m2 = 0;
  let k = 0;
  await forEachExampleGradient(
    objective,
    (_, g) => {
      k++;
      ranges.forEach(([start, end], b) => {
        let acc = 0;
        for (let q = start; q < end; q++) {
          const delta = g[q]! - mean[q]!;
          mean[q]! += delta / k;
          acc += delta * (g[q]! - mean[q]!);
        }
        blockSumOfSquares[b]! += acc;
        m2 += acc;
      });
    },
    onExamples,
  );
  return { mean, sumOfSquares: m2, blockSumOfSquares };
}

async function sigmaHFromVectors(
  hessian: HessianOperator,
  vectors: Float64Array[],
  m: number,
  report: (stage: string, done: number, total: number) => void,
): Promise<Estimate | undefined> {
  if (vectors.length === 0) return undefined;
  async function* each(): AsyncIterable<Float64Array> {
    yield* vectors;
  }
  const values = await quadraticForms(hessian, each(), vectors.length, report);
  const { mean, standardError } = sampleMean(values);
  return {
    estimate: mean,
    standardError,
    samples: vectors.length,
    matvecs: vectors.length,
    examples: vectors.length * m,
  };
}
