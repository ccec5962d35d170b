import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { activeBackend, activeBackendLabel } from '../backend/initBackend.js';
import { type Dataset, disposeDataset, exampleCount, sliceExamples } from '../data/dataset.js';
import { type MinimumMeasurement, measureMinimum } from '../experiments/measureMinimum.js';
import type { MeasureProgress } from '../noise/gradientNoise.js';
import type { EpochRecord } from '../train/history.js';
import type { RunMeasurement, RunRecord } from './runResult.js';
import { type RunSpec, runSpecHash } from './runSpec.js';

/** Options for {@link measureRun}. */
export interface MeasureRunOptions {
  /** Share Tr H's Hutchinson probes among this many worker threads (same result); default 1. */
  workers?: number;
  /** Called as the measurement proceeds, stage by stage. */
  onProgress?: (progress: MeasureProgress) => void;
}

/**
 * Measures a trained network as its run spec's `measurement` says, over the first
 * `measurement.examples` training examples: the one measuring path of `sgd-factors measure` and of every
 * sweep run.
 *
 * @param model - the trained network.
 * @param train - the run's training data (preprocessed as in training).
 * @param spec - the run spec (its loss, seed and measurement settings).
 * @param options - worker threads, progress.
 * @throws RangeError naming `measurement.examples` when the data has fewer examples.
 */
export async function measureRun(
  model: LayersModel,
  train: Dataset,
  spec: RunSpec,
  options: MeasureRunOptions = {},
): Promise<MinimumMeasurement> {
  const m = spec.measurement;
  const available = exampleCount(train);
  if (m.examples > available)
    throw new RangeError(
      `measurement.examples (${m.examples}) exceeds the ${available} training examples loaded`,
    );
  const measured = m.examples === available ? train : sliceExamples(train, 0, m.examples);
  try {
    return await measureMinimum(model, measured, {
      loss: spec.training.loss,
      seed: spec.training.seed,
      estimator: m.estimator,
      matvecs: m.probes,
      batchSize: Math.min(m.batchSize, m.examples),
      noise: m.noise,
      sigmaHProbes: m.sigmaHProbes,
      topEigenvalues: m.topEigenvalues,
      bnMode: m.bnMode,
      bnStatistics: m.bnStatistics,
      includeRegularization: m.includeRegularization,
      minibatchSize: m.minibatchSize,
      minibatches: m.minibatches,
      ...(m.perLayer ? { perLayer: true } : {}),
      ...(options.workers !== undefined && options.workers > 1 ? { workers: options.workers } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    if (measured !== train) disposeDataset(measured);
  }
}

/** The fields of a measurement that a run's record keeps. */
export function runMeasurement(m: MinimumMeasurement): RunMeasurement {
  return {
    traceH: m.traceH,
    traceSigma: m.traceSigma,
    traceSigmaH: m.traceSigmaH,
    gradNormSq: m.gradNormSq,
    loss: m.loss,
    magnitudeDifference: m.magnitudeDifference,
    ...(m.perLayer ? { perLayer: m.perLayer } : {}),
    settings: {
      ...m.settings,
      ...(m.topEigenvalues ? { topEigenvalues: m.topEigenvalues } : {}),
      ...(m.batchNorm ? { batchNorm: m.batchNorm } : {}),
    },
  };
}

/**
 * A run's `result.json` record from its spec, history and measurement.
 *
 * @throws Error when the history is empty (nothing was trained).
 */
export function runRecord(
  id: string,
  spec: RunSpec,
  history: readonly EpochRecord[],
  measurement: RunMeasurement,
  seconds: { training: number; measuring: number },
): RunRecord {
  const final = history[history.length - 1];
  if (!final) throw new Error(`run ${id} has no finished epoch to record`);
  return {
    id,
    hash: runSpecHash(spec),
    spec,
    loss: spec.training.loss,
    batchSize: spec.training.batchSize,
    learningRate: spec.training.learningRate,
    seed: spec.training.seed,
    finalLearningRate: final.lr,
    epochs: history.length,
    final,
    measurement,
    // tf.getBackend() alone would not say whether oneDNN computed the convolutions.
    backend:
      tf.getBackend() === activeBackend()?.backend
        ? (activeBackendLabel() ?? tf.getBackend())
        : tf.getBackend(),
    seconds,
  };
}
