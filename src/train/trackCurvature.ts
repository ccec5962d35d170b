import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { hutchinsonTrace } from '../curvature/estimators/hutchinsonTrace.js';
import { topEigenvalues } from '../curvature/estimators/topEigenvalues.js';
import { hessianOperator } from '../curvature/hessianOperator.js';
import type { ObjectiveOptions } from '../curvature/trainingObjective.js';
import { type Dataset, disposeDataset, exampleCount, sliceExamples } from '../data/dataset.js';
import { KerasBatchNormalization } from '../models/batchNormalization.js';
import { recomputeBatchNormStatistics } from '../models/recomputeBatchNormStatistics.js';
import type { Estimate } from '../noise/estimate.js';
import { gradientNoise } from '../noise/gradientNoise.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import type { ProgressEvent } from '../util/progress.js';
import { createProgress } from '../util/progress.js';
import { createRng } from '../util/random.js';

/** A quantity {@link trainSGD}'s `track` option can follow during training. */
export type TrackedQuantity = 'traceH' | 'traceSigma' | 'topEigenvalue';

/** Every {@link TrackedQuantity}, in a stable order. */
export const TRACKED_QUANTITIES: readonly TrackedQuantity[] = ['traceH', 'traceSigma', 'topEigenvalue'];

/**
 * Curvature tracking during training (`trainSGD`'s `track` option): which quantities, how often and over
 * which examples. The measured objective is the trained one (the training loss, regularization included)
 * with inference-mode batch normalization whose statistics are recomputed over the tracked examples for
 * the measurement only.
 */
export interface CurvatureTracking {
  /** Measure after every `every`-th epoch (epochs every, 2·every, …), and after the last one. */
  every: number;
  /** What to measure; default all of {@link TRACKED_QUANTITIES}. */
  quantities?: readonly TrackedQuantity[];
  /** The first `examples` training examples, the same at every measurement; default min(256, n). */
  examples?: number;
  /** Hutchinson probes (Hessian–vector products) of Tr H; default 10, at least 2. */
  probes?: number;
  /** Lanczos' budget of Hessian–vector products for λ_max; default 20, at least 2. */
  eigenMatvecs?: number;
  /** Examples per forward/backward pass; default 64 (memory and speed, not results). */
  batchSize?: number;
}

/** Every key of {@link CurvatureTracking}, for {@link checkOptionKeys}. */
const OPTION_KEYS: OptionKeys<CurvatureTracking> = {
  every: true,
  quantities: true,
  examples: true,
  probes: true,
  eigenMatvecs: true,
  batchSize: true,
};

/** The largest Hessian eigenvalue found by Lanczos at a tracked epoch. */
export interface TrackedEigenvalue {
  /** λ_max (largest algebraic). */
  value: number;
  /** Residual norm bounding its distance to an eigenvalue of H. */
  residualBound: number;
  /** Whether the residual met the tolerance (1e-3 relative) within the budget. */
  converged: boolean;
  /** Hessian–vector products spent. */
  matvecs: number;
}

/** What was measured at the end of a tracked epoch (an `EpochRecord`'s `curvature`). */
export interface TrackedCurvature {
  /** Number of examples measured over (the first ones of the training set). */
  examples: number;
  /** Tr H by Hutchinson (the same probes at every tracked epoch). */
  traceH?: Estimate;
  /** tr σ², exact over the examples (unbiased). */
  traceSigma?: Estimate;
  /** λ_max of H, to compare with the edge of stability 2/δ. */
  topEigenvalue?: TrackedEigenvalue;
  /** Wall-clock seconds of the measurement. */
  seconds: number;
}

/** Where a tracked measurement reports progress. */
export interface TrackingProgress {
  /** The label in front of the bar, e.g. `curvature 5/20`. */
  label: string;
  /** The epoch's learning rate δ, to print 2/δ beside λ_max. */
  lr: number;
  /** Where progress goes. */
  stream: NodeJS.WriteStream;
  /** Print nothing. */
  quiet: boolean;
}

/** Measures tracked curvature; see {@link curvatureTracker}. */
export interface CurvatureTracker {
  /** The settings with the defaults filled in. */
  readonly settings: Readonly<Required<CurvatureTracking>>;
  /** Whether the epoch (0-based) of a run of `epochs` epochs is measured. */
  due(epoch: number, epochs: number): boolean;
  /** Measures the model at its current weights; changes neither its weights nor its batch-norm state. */
  measure(model: LayersModel, progress: TrackingProgress): Promise<TrackedCurvature>;
  /** Releases the tracked examples (when they are a slice of the training set). */
  dispose(): void;
}

function checkInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(
      `trainSGD: options.track.${name} must be an integer in [${min}, ${max}], got ${String(value)}`,
    );
  return value;
}

/** Checks `track` against the training set and fills in the defaults. */
export function normalizeTracking(
  options: CurvatureTracking,
  trainingExamples: number,
): Required<CurvatureTracking> {
  checkOptionKeys('trainSGD: options.track', options, OPTION_KEYS);
  const quantities = options.quantities ?? TRACKED_QUANTITIES;
  if (
    !Array.isArray(quantities) ||
    quantities.length === 0 ||
    new Set(quantities).size !== quantities.length ||
    quantities.some((q) => !TRACKED_QUANTITIES.includes(q))
  )
    throw new RangeError(
      `trainSGD: options.track.quantities must be distinct names among ${TRACKED_QUANTITIES.join(', ')}, got ${JSON.stringify(quantities)}`,
    );
  return {
    every: checkInteger('every', options.every, 1),
    quantities: TRACKED_QUANTITIES.filter((q) => quantities.includes(q)),
    examples: checkInteger(
      'examples',
      options.examples ?? Math.min(256, trainingExamples),
      2,
      trainingExamples,
    ),
    probes: checkInteger('probes', options.probes ?? 10, 2),
    eigenMatvecs: checkInteger('eigenMatvecs', options.eigenMatvecs ?? 20, 2),
    batchSize: checkInteger('batchSize', options.batchSize ?? 64, 1),
  };
}

/**
 * Runs `measure` with inference-mode batch-norm statistics recomputed over `data`, and puts the model's own
 * moving statistics back afterwards on every path, so that training continues from exactly its own state.
 */
async function withRecomputedBatchNorm<T>(
  model: LayersModel,
  data: Dataset,
  batchSize: number,
  measure: () => Promise<T>,
): Promise<T> {
  if (!model.layers.some((l) => l instanceof KerasBatchNormalization)) return measure();
  const state = model.nonTrainableWeights;
  const saved = state.map((w) => tf.clone(w.read()));
  try {
    await recomputeBatchNormStatistics(model, data, { batchSize: Math.max(batchSize, 128) });
    return await measure();
  } finally {
    state.forEach((w, i) => {
      w.write(saved[i]!);
    });
    tf.dispose(saved);
  }
}

function format(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : String(x);
}

/** The summary printed when a tracked measurement ends. */
function summary(c: TrackedCurvature, lr: number): string {
  const parts: string[] = [];
  if (c.traceH) parts.push(`Tr H ${format(c.traceH.estimate)} ± ${format(c.traceH.standardError)}`);
  if (c.traceSigma) parts.push(`tr σ² ${format(c.traceSigma.estimate)}`);
  if (c.topEigenvalue) parts.push(`λ_max ${format(c.topEigenvalue.value)} (2/δ ${format(2 / lr)})`);
  return `${parts.join(', ')} ${c.seconds.toFixed(1)}s`;
}

/**
 * A tracker of curvature during training: measures the chosen quantities over a fixed subset of the
 * training set (its first `examples`) without perturbing training.
 *
 * @remarks
 * Not perturbing: the measurement draws its probes from its own generators (seeded from `seed`, the same
 * probes at every tracked epoch, so that trends are not masked by probe noise), reads but never writes
 * the trainable weights, and restores the batch-norm moving statistics it recomputes; the batch order and
 * augmentation of `trainSGD` are pure functions of (seed, epoch, batch), so a tracked run trains exactly as
 * an untracked one.
 *
 * Cost per tracked epoch over N examples: Tr H `probes` Hessian–vector products; tr σ² one gradient
 * pass and one per-example-gradient pass; λ_max up to `eigenMatvecs` Hessian–vector products; for a
 * model with batch normalization one forward pass to recompute its statistics. A Hessian–vector product
 * costs about 4–5 gradient passes (double backpropagation).
 *
 * @param train - the training set (the tracked examples are its first `examples`).
 * @param options - the tracking settings.
 * @param objective - the trained loss and output kind.
 * @param seed - the run's seed (of the probes and of Lanczos' start vector).
 * @throws RangeError naming the option when a setting is invalid.
 */
export function curvatureTracker(
  train: Dataset,
  options: CurvatureTracking,
  objective: Pick<ObjectiveOptions, 'loss' | 'outputs'>,
  seed: number,
): CurvatureTracker {
  const n = exampleCount(train);
  const settings = normalizeTracking(options, n);
  const data = settings.examples === n ? train : sliceExamples(train, 0, settings.examples);
  const eigenSeed = createRng(seed)
    .fork()
    .int(2 ** 31);
  const has = (q: TrackedQuantity) => settings.quantities.includes(q);
  const measureOptions = {
    ...objective,
    batchSize: Math.min(settings.batchSize, settings.examples),
    bnMode: 'inference' as const,
    includeRegularization: true,
  };
  return {
    settings,
    due: (epoch, epochs) => (epoch + 1) % settings.every === 0 || epoch + 1 === epochs,
    async measure(model, where) {
      const started = performance.now();
      // Progress in units of passes and Hessian–vector products, stage after stage.
      const stages = {
        traceSigma: has('traceSigma') ? 2 : 0,
        traceH: has('traceH') ? settings.probes : 0,
        topEigenvalue: has('topEigenvalue') ? settings.eigenMatvecs : 0,
      };
      const progress = createProgress({
        label: where.label,
        total: stages.traceSigma + stages.traceH + stages.topEigenvalue,
        stream: where.stream,
        silent: where.quiet,
      });
      const at = (offset: number) => (e: ProgressEvent) =>
        progress.update(offset + (e.stage === 'traceSigma' ? (e.done >= e.total ? 2 : 1) : e.done));
      const curvature = await withRecomputedBatchNorm(model, data, settings.batchSize, async () => {
        const out: TrackedCurvature = { examples: settings.examples, seconds: 0 };
        if (has('traceSigma')) {
          const noise = await gradientNoise(model, data, {
            ...measureOptions,
            method: 'perExample',
            sigmaHProbes: 0,
            onProgress: (e) => (e.stage === 'traceSigma' ? at(0)(e) : undefined),
          });
          const { method: _method, ...traceSigma } = noise.traceSigma;
          out.traceSigma = traceSigma;
        }
        const hessian = hessianOperator(model, data, measureOptions);
        if (has('traceH')) {
          const t = await hutchinsonTrace(hessian, {
            matvecs: settings.probes,
            seed,
            onProgress: at(stages.traceSigma),
          });
          out.traceH = {
            estimate: t.estimate,
            standardError: t.standardError,
            samples: t.probeValues.length,
            matvecs: t.matvecs,
            examples: settings.examples,
          };
        }
        if (has('topEigenvalue')) {
          const r = await topEigenvalues(hessian, {
            k: 1,
            maxMatvecs: Math.min(settings.eigenMatvecs, hessian.dim),
            tol: 1e-3,
            seed: eigenSeed,
            onProgress: at(stages.traceSigma + stages.traceH),
          });
          out.topEigenvalue = {
            value: r.values[0]!,
            residualBound: r.residualBounds[0]!,
            converged: r.converged,
            matvecs: r.matvecs,
          };
        }
        return out;
      });
      curvature.seconds = (performance.now() - started) / 1000;
      progress.done(summary(curvature, where.lr));
      return curvature;
    },
    dispose() {
      if (data !== train) disposeDataset(data);
    },
  };
}
