import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type BlockTracesResult, blockTraces } from '../curvature/estimators/blockTraces.js';
import { hutchinsonTrace } from '../curvature/estimators/hutchinsonTrace.js';
import { hutchPlusPlusTrace } from '../curvature/estimators/hutchPlusPlusTrace.js';
import type { StochasticEstimate } from '../curvature/estimators/stochasticEstimate.js';
import { topEigenvalues } from '../curvature/estimators/topEigenvalues.js';
import { xtrace } from '../curvature/estimators/xtrace.js';
import { hessianOperator } from '../curvature/hessianOperator.js';
import type { SerializableObjectiveOptions } from '../curvature/parallel/hessianWorkerProtocol.js';
import { parallelHutchinsonTrace } from '../curvature/parallel/parallelHutchinsonTrace.js';
import { parameterBlocks } from '../curvature/parameterBlocks.js';
import {
  type BatchNormMode,
  OBJECTIVE_OPTION_KEYS,
  type ObjectiveOptions,
  objectiveOptionsOf,
} from '../curvature/trainingObjective.js';
import type { Dataset } from '../data/dataset.js';
import { validateDataset } from '../data/validateDataset.js';
import { KerasBatchNormalization } from '../models/batchNormalization.js';
import { batchNormModeAccuracy } from '../models/batchNormModeAccuracy.js';
import { recomputeBatchNormStatistics } from '../models/recomputeBatchNormStatistics.js';
import type { Estimate } from '../noise/estimate.js';
import { type GradientNoiseOptions, gradientNoise, type NoiseMethod } from '../noise/gradientNoise.js';
import { ratioWithStandardError } from '../noise/statistics.js';
import type { LossName } from '../train/losses.js';
import { checkOptionKeys, givenOptionName, type OptionKeys, renamedOption } from '../util/options.js';
import type { ProgressEvent, ProgressListener, ProgressUnit } from '../util/progress.js';
import { createRng } from '../util/random.js';
import { type BlockMeasurement, blockMeasurements } from './blockMeasurements.js';

/** The deprecated option names of {@link measureMinimum}, and their new names. */
const RENAMED = { probes: 'matvecs', eigenIterations: 'eigenMatvecs' };

/** The trace estimators {@link measureMinimum} can use for Tr H. */
export type TraceEstimatorName = 'hutchinson' | 'hutchpp' | 'xtrace';

/** The trace estimator names, in a stable order. */
export const TRACE_ESTIMATORS: readonly TraceEstimatorName[] = ['hutchinson', 'hutchpp', 'xtrace'];

/** Options for {@link measureMinimum}. */
export interface MeasureMinimumOptions
  extends ObjectiveOptions,
    Pick<
      GradientNoiseOptions,
      'minibatchSize' | 'minibatches' | 'replacement' | 'largeBatchSize' | 'sigmaHProbes'
    > {
  /** Estimator of Tr H; default `'hutchinson'` (Rademacher probes, as PyHessian). */
  estimator?: TraceEstimatorName;
  /**
   * The matvec budget of the Tr H estimator (Hessian–vector products: Hutchinson's probes, or Hutch++'s
   * and XTrace's sketch and probes); default 50. Named as in {@link hutchinsonTrace}, {@link xtrace}.
   */
  matvecs?: number;
  /** @deprecated The old name of `matvecs`. */
  probes?: number;
  /**
   * Seed of every random choice; default 0. Tr H's probes are drawn from `seed` itself, exactly as
   * `hutchinsonTrace(op, { seed })` (or `hutchPlusPlusTrace`, `xtrace`) draws them, so the same seed gives
   * the same Tr H there and here. The noise estimators' stream (mini-batches, signs) and Lanczos' start
   * vector use seeds drawn from `createRng(seed).fork()`; all three are in `settings.streamSeeds`.
   */
  seed?: number;
  /** How tr σ² is measured (see {@link NoiseMethod}); default `'perExample'`. */
  noise?: NoiseMethod;
  /** Also compute this many largest Hessian eigenvalues by Lanczos; default 0 (none). */
  topEigenvalues?: number;
  /** Lanczos iterations for `topEigenvalues`; default max(30, 2k + 20). */
  eigenMatvecs?: number;
  /** @deprecated The old name of `eigenMatvecs`. */
  eigenIterations?: number;
  /**
   * Worker threads for Tr H with the `'hutchinson'` estimator (see {@link parallelHutchinsonTrace}):
   * default 1, computed in this thread. With more, the probes are shared among that many workers, each
   * with its own backend and copy of the model and data; the result is bitwise the same. Needs a named
   * `loss` and the wasm or cpu backend; the other stages stay in this thread.
   */
  workers?: number;
  /**
   * Which batch-normalization statistics the inference-mode measurement uses (see docs/measuring.md):
   * `'recompute'` (default) replaces them, for the measurement only, by the exact mean and variance of
   * each layer's input over `data` ({@link recomputeBatchNormStatistics}); `'moving'` uses the
   * exponential moving averages training left. Ignored for a model without batch normalization.
   */
  bnStatistics?: BatchNormStatistics;
  /**
   * Also split Tr H and tr σ² into the parameter blocks (one per trainable weight tensor, see
   * `parameterBlocks`): the result's `perLayer`. No extra Hessian–vector product or pass: tr H_bb comes
   * from the Tr H probes themselves ({@link blockTraces}), tr σ²_bb from the per-example gradients of tr σ²,
   * so the blocks sum to the totals. Needs the `'hutchinson'` estimator with at least 2 matvecs, the
   * `'perExample'` noise method and one worker. Default false.
   */
  perLayer?: boolean;
  /** Called as the work proceeds, stage by stage. */
  onProgress?: ProgressListener;
}

/** Where the batch-normalization statistics of a measurement come from (see {@link MeasureMinimumOptions}). */
export type BatchNormStatistics = 'recompute' | 'moving';

/** Every {@link BatchNormStatistics}. */
export const BATCH_NORM_STATISTICS: readonly BatchNormStatistics[] = ['recompute', 'moving'];

/** The batch-normalization statistics a measurement used, and how well they describe the network. */
export interface BatchNormReport {
  /** `'recompute'` or `'moving'`. */
  statistics: BatchNormStatistics;
  /** Accuracy on the measured examples with batch statistics (batches of `batchSize`). */
  trainModeAccuracy: number;
  /** Accuracy on the measured examples in inference mode, with the statistics used. */
  inferenceAccuracy: number;
  /**
   * Present when inference-mode accuracy is more than {@link BN_ACCURACY_GAP_WARNING} below train-mode
   * accuracy: the statistics then describe a different network from the one training produced.
   */
  warning?: string;
}

/** The accuracy gap (train mode − inference mode) above which a measurement warns. */
export const BN_ACCURACY_GAP_WARNING = 0.05;

/** The largest Hessian eigenvalues found by Lanczos. */
export interface TopEigenvaluesMeasurement {
  /** Largest first. */
  values: number[];
  /** Residual norms bounding each value's distance to an eigenvalue. */
  residualBounds: number[];
  /** Whether every residual met the tolerance (1e-3 relative). */
  converged: boolean;
  /** Hessian–vector products spent. */
  matvecs: number;
}

/** What {@link measureMinimum} measured, and how. */
export interface MinimumMeasurement {
  /** Tr H of the objective's Hessian. */
  traceH: Estimate;
  /** tr σ² (unbiased), σ² the covariance of per-example gradients. */
  traceSigma: Estimate & { method: NoiseMethod };
  /** tr(σ²H), the term of Eq. (13). */
  traceSigmaH: Estimate;
  /** |∇f|² over all examples (exact). */
  gradNormSq: Estimate;
  /** f over all examples (exact). */
  loss: Estimate;
  /** Tr H / tr σ², the paper's "magnitude difference" (standard error by the delta method). */
  magnitudeDifference: Estimate;
  /** B_simple = tr σ² / |∇f|². */
  bSimple: Estimate;
  /** With `topEigenvalues` > 0. */
  topEigenvalues?: TopEigenvaluesMeasurement;
  /** With `perLayer`: Tr H and tr σ² per parameter block, in `model.trainableWeights` order. */
  perLayer?: BlockMeasurement[];
  /** For a model with batch normalization: the statistics used and the accuracy check. */
  batchNorm?: BatchNormReport;
  /** The resolved settings, so a result says how it was obtained. */
  settings: MeasureSettings;
}

/** The settings of a measurement, resolved (defaults filled in). */
export interface MeasureSettings {
  /** Number of examples n the objective averages over. */
  examples: number;
  /** Number of trainable parameters. */
  parameters: number;
  /** The loss name (or 'custom'). */
  loss: LossName | 'custom';
  /** What the model outputs. */
  outputs: string;
  /** Chunk size of every pass. */
  batchSize: number;
  /** Batch-normalization mode of the Hessian and of f, ∇f. */
  bnMode: BatchNormMode;
  /** The batch-normalization statistics of inference mode (`'moving'` for a model without batch norm). */
  bnStatistics: BatchNormStatistics;
  /** Whether the regularization penalty is part of the objective. */
  includeRegularization: boolean;
  /** Tr H estimator. */
  estimator: TraceEstimatorName;
  /** Its matvec budget. */
  matvecs: number;
  /** @deprecated The same as `matvecs` (its old name), kept for existing readers of results. */
  probes: number;
  /** tr σ² method. */
  noise: NoiseMethod;
  /** Mini-batch size (minibatch and twoBatch methods). */
  minibatchSize: number;
  /** Mini-batches or pairs (minibatch and twoBatch methods). */
  minibatches: number;
  /** Sampling with replacement (minibatch method). */
  replacement: boolean;
  /** Large batch (twoBatch method). */
  largeBatchSize: number;
  /** Probes of tr(σ²H). */
  sigmaHProbes: number;
  /** The seed. */
  seed: number;
  /**
   * The seeds drawn from `seed` for the independent random streams: the Tr H estimator's, the noise
   * estimators' (mini-batches and signs) and Lanczos' start vector.
   */
  streamSeeds: { traceH: number; noise: number; eigen: number };
  /** The tfjs backend the numbers were computed on. */
  backend: string;
  /** Wall-clock seconds of the whole measurement. */
  seconds: number;
}

/** Every key of {@link MeasureMinimumOptions}, for {@link checkOptionKeys}. */
const OPTION_KEYS: OptionKeys<MeasureMinimumOptions> = {
  ...OBJECTIVE_OPTION_KEYS,
  minibatchSize: true,
  minibatches: true,
  replacement: true,
  largeBatchSize: true,
  sigmaHProbes: true,
  estimator: true,
  matvecs: true,
  probes: true,
  seed: true,
  noise: true,
  topEigenvalues: true,
  eigenMatvecs: true,
  eigenIterations: true,
  workers: true,
  bnStatistics: true,
  perLayer: true,
  onProgress: true,
};

/** The objective options to send to workers (the loss by name, checked by the caller). */
function objectiveOptions(options: MeasureMinimumOptions): SerializableObjectiveOptions {
  const out: SerializableObjectiveOptions = {};
  if (options.loss !== undefined) out.loss = options.loss as LossName;
  if (options.outputs !== undefined) out.outputs = options.outputs;
  if (options.batchSize !== undefined) out.batchSize = options.batchSize;
  if (options.bnMode !== undefined) out.bnMode = options.bnMode;
  if (options.includeRegularization !== undefined) out.includeRegularization = options.includeRegularization;
  return out;
}

function checkInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`measureMinimum: options.${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

/**
 * Measures, at a model's current parameters, the quantities that characterize the minimum SGD found in
 * Luo & Wang (2021): Tr H (Jastrzębski et al.'s Eq. (9)), tr σ² (Wang's Eq. (12)), tr(σ²H) and |∇f|²
 * (Eq. (13)), f, and the ratio Tr H / tr σ² of the paper's Table 1, each with its standard error.
 *
 * @remarks
 * All quantities refer to one objective f = mean data loss over `data` (+ the regularization penalty unless
 * `includeRegularization` is false), with batch normalization as `bnMode` says (see
 * {@link hessianOperator}); σ² is always the covariance of per-example gradients with inference-mode
 * batch normalization (see {@link gradientNoise}).
 *
 * Tr H: `'hutchinson'` averages `matvecs` Rademacher quadratic forms vᵀHv; `'hutchpp'` (Hutch++) and
 * `'xtrace'` spend the same budget on a low-rank sketch plus deflated probes, better when the spectrum
 * decays fast (as Hessians' do). Each Hessian–vector product is a double backward pass over all n
 * examples.
 *
 * magnitudeDifference = Tr H / tr σ² with the delta-method standard error
 * r·√((SE_H/Tr H)² + (SE_σ/tr σ²)²): the two estimates use independent random streams, so their
 * covariance is 0; with the exact per-example tr σ² only Tr H's error remains. First order, so it is
 * reliable while both relative errors are small.
 *
 * Cost: (1 + [bnMode 'train']) gradient passes, `probes` + `sigmaHProbes` (+ Lanczos iterations)
 * Hessian–vector products, plus the tr σ² method's gradients (about one gradient pass for
 * `'perExample'`, see {@link gradientNoise}), plus, for a model with batch normalization, one forward
 * pass to recompute its statistics (`bnStatistics`) and two for the train- vs inference-mode accuracy.
 *
 * Batch normalization: by default (`bnStatistics: 'recompute'`) inference mode uses the exact statistics
 * of each layer's input over `data` for the duration of the measurement; the model's own moving
 * statistics are restored afterwards, so measuring never changes the model. `batchNorm.warning` flags an
 * inference-mode training accuracy far below the train-mode one.
 *
 * @param model - a built tfjs-layers model at the parameters to measure.
 * @param data - the examples the objective averages over (e.g. the first N training images).
 * @param options - objective, estimators, sizes, seed, progress.
 */
export async function measureMinimum(
  model: LayersModel,
  data: Dataset,
  options: MeasureMinimumOptions = {},
): Promise<MinimumMeasurement> {
  const started = performance.now();
  checkOptionKeys('measureMinimum', options, OPTION_KEYS, RENAMED);
  validateDataset(data, { caller: 'measureMinimum', argument: 'data' }, model);
  const estimator = options.estimator ?? 'hutchinson';
  if (!TRACE_ESTIMATORS.includes(estimator)) {
    throw new RangeError(
      `measureMinimum: options.estimator must be ${TRACE_ESTIMATORS.map((e) => `'${e}'`).join(', ')}, got '${String(estimator)}'`,
    );
  }
  const budget = renamedOption<number>('measureMinimum', options, 'matvecs', 'probes');
  const probes = checkInteger(
    givenOptionName(options, 'matvecs', 'probes'),
    budget ?? 50,
    estimator === 'hutchinson' ? 1 : 4,
  );
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed))
    throw new RangeError(`measureMinimum: options.seed must be finite, got ${seed}`);
  const k = checkInteger('topEigenvalues', options.topEigenvalues ?? 0, 0);
  const sigmaHProbes = options.sigmaHProbes ?? 10;
  if (!Number.isInteger(sigmaHProbes) || sigmaHProbes < 1)
    throw new RangeError(
      `measureMinimum: options.sigmaHProbes must be an integer ≥ 1 (tr(σ²H) is part of every measurement; gradientNoise skips it with sigmaHProbes 0), got ${sigmaHProbes}`,
    );
  const noiseMethod = options.noise ?? 'perExample';
  const minibatchSize = options.minibatchSize ?? 32;
  const minibatches = options.minibatches ?? 32;
  const replacement = options.replacement ?? true;
  const largeBatchSize = options.largeBatchSize ?? 4 * minibatchSize;
  const workers = checkInteger('workers', options.workers ?? 1, 1);
  if (workers > 1 && estimator !== 'hutchinson')
    throw new RangeError(
      `measureMinimum: options.workers > 1 applies to the 'hutchinson' estimator only, got estimator '${estimator}'`,
    );
  if (workers > 1 && typeof options.loss === 'function')
    throw new RangeError(
      'measureMinimum: options.workers > 1 needs a named loss (a function cannot be sent to a worker)',
    );

  const bnStatistics = options.bnStatistics ?? 'recompute';
  if (bnStatistics !== 'recompute' && bnStatistics !== 'moving') {
    throw new RangeError(
      `measureMinimum: options.bnStatistics must be 'recompute' or 'moving', got '${String(bnStatistics)}'`,
    );
  }
  const perLayer = options.perLayer ?? false;
  if (perLayer) checkPerLayer(estimator, probes, noiseMethod, workers);
  const hessian = hessianOperator(model, data, objectiveOptionsOf(options));
  const bnProgress = (stage: string, done: number, total: number, unit: ProgressUnit) =>
    options.onProgress?.({ stage, done, total, unit });
  return withBatchNormStatistics(
    model,
    data,
    bnStatistics,
    hessian.objective.batchSize,
    bnProgress,
    async (batchNorm) => {
      const report = (stage: string, done: number, total: number) =>
        options.onProgress?.({ stage, done, total, unit: 'matvecs' });
      // Independent streams, so the Tr H and tr σ² errors are independent (the delta method assumes it).
      const traceSeed = seed;
      const streams = createRng(seed).fork();
      const noiseSeed = streams.int(2 ** 31);
      const eigenSeed = streams.int(2 ** 31);

      const noise = await gradientNoise(model, data, {
        ...objectiveOptionsOf(options),
        method: noiseMethod,
        seed: noiseSeed,
        minibatchSize,
        minibatches,
        replacement,
        largeBatchSize,
        sigmaHProbes,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });

      const onTrace = ({ done, total }: ProgressEvent) => report('traceH', done, total);
      report('traceH', 0, probes);
      let trace: StochasticEstimate;
      let blocks: BlockTracesResult | undefined;
      if (perLayer) {
        blocks = await blockTraces(hessian, parameterBlocks(model), {
          probes,
          seed: traceSeed,
          onProgress: onTrace,
        });
        trace = blocks.total;
      } else if (estimator === 'hutchinson' && workers > 1) {
        trace = await parallelHutchinsonTrace(model, data, {
          ...objectiveOptions(options),
          matvecs: probes,
          seed: traceSeed,
          workers,
          onProgress: onTrace,
        });
      } else if (estimator === 'hutchinson') {
        trace = await hutchinsonTrace(hessian, { matvecs: probes, seed: traceSeed, onProgress: onTrace });
      } else if (estimator === 'hutchpp') {
        trace = await hutchPlusPlusTrace(hessian, { matvecs: probes, seed: traceSeed, onProgress: onTrace });
      } else {
        trace = await xtrace(hessian, { matvecs: probes, seed: traceSeed, onProgress: onTrace });
      }
      const n = hessian.objective.n;
      const traceH: Estimate = {
        estimate: trace.estimate,
        standardError: trace.standardError,
        samples: trace.probeValues.length,
        matvecs: trace.matvecs,
        examples: n,
      };

      let eigen: TopEigenvaluesMeasurement | undefined;
      if (k > 0) {
        const maxIter = Math.min(
          hessian.dim,
          checkInteger(
            'eigenMatvecs',
            renamedOption<number>('measureMinimum', options, 'eigenMatvecs', 'eigenIterations') ??
              Math.max(30, 2 * k + 20),
            k,
          ),
        );
        const result = await topEigenvalues(hessian, {
          k,
          maxMatvecs: maxIter,
          tol: 1e-3,
          seed: eigenSeed,
          onProgress: ({ done, total }) => report('topEigenvalues', done, total),
        });
        eigen = {
          values: Array.from(result.values),
          residualBounds: Array.from(result.residualBounds),
          converged: result.converged,
          matvecs: result.matvecs,
        };
      }

      const ratio = ratioWithStandardError(traceH, noise.traceSigma);
      const traceSigmaH = noise.traceSigmaH!;
      const objective = hessian.objective;
      return {
        traceH,
        traceSigma: noise.traceSigma,
        traceSigmaH,
        gradNormSq: noise.gradNormSq,
        loss: noise.loss,
        magnitudeDifference: {
          ...ratio,
          samples: traceH.samples,
          matvecs: traceH.matvecs,
          examples: noise.traceSigma.examples,
        },
        bSimple: noise.bSimple,
        ...(eigen !== undefined ? { topEigenvalues: eigen } : {}),
        ...(blocks !== undefined ? { perLayer: blockMeasurements(blocks, noise.blockTraceSigma!) } : {}),
        ...(batchNorm !== undefined ? { batchNorm } : {}),
        settings: {
          examples: n,
          parameters: hessian.dim,
          loss: objective.loss.name,
          outputs: objective.loss.outputs,
          batchSize: objective.batchSize,
          bnMode: objective.bnMode,
          bnStatistics: batchNorm?.statistics ?? 'moving',
          includeRegularization: objective.includeRegularization,
          estimator,
          matvecs: probes,
          probes,
          noise: noiseMethod,
          minibatchSize,
          minibatches,
          replacement,
          largeBatchSize,
          sigmaHProbes,
          seed,
          streamSeeds: { traceH: traceSeed, noise: noiseSeed, eigen: eigenSeed },
          backend: tf.getBackend(),
          seconds: (performance.now() - started) / 1000,
        },
      };
    },
  );
}

/** Throws a RangeError naming the option that rules out `perLayer`. */
function checkPerLayer(
  estimator: TraceEstimatorName,
  matvecs: number,
  noise: NoiseMethod,
  workers: number,
): void {
  const why =
    estimator !== 'hutchinson'
      ? `options.estimator 'hutchinson' (block traces come from Hutchinson's probes), got '${estimator}'`
      : matvecs < 2
        ? `options.matvecs ≥ 2 (for the blocks' standard errors), got ${matvecs}`
        : noise !== 'perExample'
          ? `options.noise 'perExample' (block traces of σ² come from the per-example gradients), got '${noise}'`
          : workers > 1
            ? `options.workers 1 (the worker threads return total traces only), got ${workers}`
            : undefined;
  if (why !== undefined) throw new RangeError(`measureMinimum: options.perLayer needs ${why}`);
}

/**
 * Runs `measure` with the batch-norm statistics `statistics` asks for in place, and puts the model's
 * own moving statistics back afterwards on every path (measuring never changes the model). For a model
 * with batch normalization, `measure` receives the statistics used and the train- vs inference-mode
 * accuracy check; otherwise undefined.
 */
async function withBatchNormStatistics<T>(
  model: LayersModel,
  data: Dataset,
  statistics: BatchNormStatistics,
  batchSize: number,
  progress: (stage: string, done: number, total: number, unit: ProgressUnit) => void,
  measure: (report: BatchNormReport | undefined) => Promise<T>,
): Promise<T> {
  if (!model.layers.some((l) => l instanceof KerasBatchNormalization)) return measure(undefined);
  const state = model.nonTrainableWeights;
  const saved = state.map((w) => tf.clone(w.read()));
  try {
    const n = data.images.shape[0];
    if (statistics === 'recompute') {
      progress('bnStatistics', 0, n, 'examples');
      await recomputeBatchNormStatistics(model, data, {
        batchSize: Math.max(batchSize, 128),
        onExamples: (done) => progress('bnStatistics', done, n, 'examples'),
      });
    }
    progress('bnAccuracy', 0, 2, 'passes');
    const accuracy = await batchNormModeAccuracy(model, data, batchSize);
    progress('bnAccuracy', 2, 2, 'passes');
    const gap = accuracy.trainMode - accuracy.inference;
    const report: BatchNormReport = {
      statistics,
      trainModeAccuracy: accuracy.trainMode,
      inferenceAccuracy: accuracy.inference,
      ...(gap > BN_ACCURACY_GAP_WARNING
        ? {
            warning: `inference-mode training accuracy ${accuracy.inference.toFixed(3)} is ${gap.toFixed(3)} below train-mode accuracy ${accuracy.trainMode.toFixed(3)} with '${statistics}' batch-norm statistics: the measurement describes a different network from the one training produced${statistics === 'moving' ? " (bnStatistics 'recompute' fixes stale moving averages)" : ''}`,
          }
        : {}),
    };
    return await measure(report);
  } finally {
    state.forEach((w, i) => {
      w.write(saved[i]!);
    });
    tf.dispose(saved);
  }
}
