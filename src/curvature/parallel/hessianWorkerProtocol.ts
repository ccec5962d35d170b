import type { DatasetArrays } from '../../data/datasetArrays.js';
import type { OutputKind } from '../../models/outputKind.js';
import type { LossName } from '../../train/losses.js';
import type { BatchNormMode } from '../trainingObjective.js';
import type { ModelSnapshot } from './modelSnapshot.js';

/** The objective options that can be sent to a worker: the loss by name (a function cannot be sent). */
export interface SerializableObjectiveOptions {
  /** The data loss by name; default `'kld'`. */
  loss?: LossName;
  /** What the model outputs; default detected from its output layer. */
  outputs?: OutputKind;
  /** Examples per chunk of a Hessian–vector product; default 32. */
  batchSize?: number;
  /** Batch-normalization mode; default `'inference'`. */
  bnMode?: BatchNormMode;
  /** Whether the regularization penalty is part of the objective; default true. */
  includeRegularization?: boolean;
}

/** The `workerData` of a Hessian worker thread. */
export interface HessianWorkerData {
  /** The worker's slot (0-based), for messages. */
  slot: number;
  /** The tfjs backend to compute with (the parent's, so that products agree bit for bit). */
  backend: 'wasm' | 'cpu';
  /** The model: architecture and all weights. */
  model: ModelSnapshot;
  /** The examples the objective averages over. */
  data: DatasetArrays;
  /** The objective. */
  objective: SerializableObjectiveOptions;
}

/** Messages to a Hessian worker: compute zᵀHz for probe `index`. */
export type ToHessianWorker = { type: 'probe'; index: number; vector: Float64Array };

/** Messages from a Hessian worker. */
export type FromHessianWorker =
  | {
      /** Set up: model rebuilt, weights loaded, operator of dimension `dim` ready. */
      type: 'ready';
      dim: number;
    }
  | {
      /** zᵀHz of probe `index`. */
      type: 'value';
      index: number;
      value: number;
    }
  | {
      /** Setting up (`index` null) or computing probe `index` threw `error` (its message). */
      type: 'failed';
      index: number | null;
      error: string;
    };
