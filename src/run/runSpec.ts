import { createHash } from 'node:crypto';
import type { BatchNormMode } from '../curvature/trainingObjective.js';
import type { AugmentOptions } from '../data/batches.js';
import { type DataSpec, dataIdentity } from '../data/sources/index.js';
import type { BatchNormStatistics, TraceEstimatorName } from '../experiments/measureMinimum.js';
import type { ModelSpec } from '../models/modelRegistry.js';
import type { NoiseMethod } from '../noise/gradientNoise.js';
import type { LossName } from '../train/losses.js';
import type { CurvatureTracking } from '../train/trackCurvature.js';

/** A step-decay learning-rate schedule: the rate is multiplied by `factor` at each boundary epoch. */
export interface ScheduleSpec {
  /** 0-based epochs from which the next decay applies (the paper: [60, 100] of 125), strictly increasing. */
  boundaries: number[];
  /** The multiplier at each boundary, in (0, 1] (the paper: 0.1). */
  factor: number;
}

/** How a run trains (the options of `trainSGD` it sets). */
export interface TrainingSpec {
  /** The loss trained with (and measured). */
  loss: LossName;
  /** Initial learning rate δ. */
  learningRate: number;
  /** Mini-batch size m. */
  batchSize: number;
  /** Epochs. */
  epochs: number;
  /** Keras-style momentum in [0, 1) (0: plain SGD, the paper's). */
  momentum: number;
  /** Seed of the initialization, batch order, augmentation and measurement probes. */
  seed: number;
  /** Learning-rate schedule. */
  schedule: ScheduleSpec;
  /** Mini-batches drawn with replacement instead of an epoch-wise shuffle. */
  replacement: boolean;
  /** Augmentation of training batches, or null for none. */
  augment: AugmentOptions | null;
}

/** The end-of-training measurement (the options of `measureMinimum` it sets). */
export interface MeasurementSpec {
  /** The estimator of Tr H. */
  estimator: TraceEstimatorName;
  /** Hessian–vector products of the Tr H estimator (its probes, or its budget). */
  probes: number;
  /** The first `examples` training examples, over which everything is measured. */
  examples: number;
  /** Examples per forward/backward pass while measuring (memory and speed; in inference mode not results). */
  batchSize: number;
  /** How tr σ² is measured. */
  noise: NoiseMethod;
  /** Random vectors of the tr(σ²H) estimate (Eq. (13)); 0 skips it. */
  sigmaHProbes: number;
  /** Largest Hessian eigenvalues to compute by Lanczos (0: none). */
  topEigenvalues: number;
  /** Batch-norm mode of the measured objective. */
  bnMode: BatchNormMode;
  /**
   * Inference-mode batch-norm statistics: `recompute` (exact over the measured examples, the default) or
   * the `moving` averages training left (see docs/measuring.md).
   */
  bnStatistics: BatchNormStatistics;
  /** Whether the L2 penalty is part of the measured objective (as SGD minimized it). */
  includeRegularization: boolean;
  /** Mini-batch size of the `minibatch`/`twoBatch` noise methods. */
  minibatchSize: number;
  /** Mini-batches (or pairs) of the `minibatch`/`twoBatch` noise methods. */
  minibatches: number;
  /**
   * Also record Tr H and tr σ² per parameter block (`result.json`'s `measurement.perLayer`). Present only
   * when true: a spec without it is the same measurement as before the field existed, so the hashes of
   * existing runs and sweeps stay the same.
   */
  perLayer?: true;
}

/**
 * Everything that determines a run: its data, model, training and end-of-training measurement. Whichever
 * command made a run (`train`, `measure`, `sweep`), its directory's `config.json` holds this spec and its
 * hash.
 */
export interface RunSpec {
  /** The data (a registered source). */
  data: DataSpec;
  /** The network (a registered model family). */
  model: ModelSpec;
  /** How it is trained. */
  training: TrainingSpec;
  /** How the minimum is measured. */
  measurement: MeasurementSpec;
  /**
   * Curvature measured during training (`trainSGD`'s `track`, every field filled in), when asked for.
   * Outside {@link trainingHash} and {@link runSpecHash}: it records more about the same training without
   * changing it (a tracked run's weights are bit-equal to an untracked one's), so a run may be resumed
   * with tracking switched on, off or changed, and tracking never makes a finished sweep run stale.
   */
  tracking?: Required<CurvatureTracking>;
}

/** Measurement settings used unless a config or flag says otherwise. */
export const DEFAULT_MEASUREMENT: MeasurementSpec = {
  estimator: 'hutchinson',
  probes: 10,
  examples: 1000,
  batchSize: 64,
  noise: 'perExample',
  sigmaHProbes: 10,
  topEigenvalues: 0,
  bnMode: 'inference',
  bnStatistics: 'recompute',
  includeRegularization: true,
  minibatchSize: 32,
  minibatches: 32,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted at every level, so equal values always serialize equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** 16 hex digits of the SHA-256 of a value's canonical JSON. */
export function shortHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/**
 * The hash of what a run directory's training is: the spec without where the data files happen to be,
 * without the measurement (which `measure` may redo with other settings on the same trained weights) and
 * without the number of epochs (a resumed run may be trained for longer).
 */
export function trainingHash(spec: RunSpec): string {
  const { epochs: _epochs, ...training } = spec.training;
  return shortHash({ data: dataIdentity(spec.data), model: spec.model, training });
}

/** The hash of a run's whole identity: {@link trainingHash}'s parts and the measurement. */
export function runSpecHash(spec: RunSpec): string {
  return shortHash({
    data: dataIdentity(spec.data),
    model: spec.model,
    training: spec.training,
    measurement: spec.measurement,
  });
}
