import type { BlockMeasurement } from '../experiments/blockMeasurements.js';
import type { EpochRecord } from '../train/history.js';
import type { LossName } from '../train/losses.js';
import type { RunSpec } from './runSpec.js';

/** A Monte-Carlo estimate and its standard error. */
export interface RunEstimate {
  /** The estimate. */
  estimate: number;
  /** Its standard error (0 for exact values). */
  standardError: number;
}

/** The measurement at the end of a run (the fields of measureMinimum's result that a run keeps). */
export interface RunMeasurement {
  /** Tr H, the trace of the loss Hessian. */
  traceH: RunEstimate;
  /** tr σ², the trace of the per-example gradient covariance. */
  traceSigma: RunEstimate;
  /** tr(σ²H). */
  traceSigmaH: RunEstimate;
  /** |∇f|², the squared norm of the full gradient. */
  gradNormSq: RunEstimate;
  /** The loss f at the end of training (over the measured examples). */
  loss: RunEstimate;
  /** Tr H / tr σ² of this run. */
  magnitudeDifference: RunEstimate;
  /** Tr H and tr σ² per parameter block, when the measurement's `perLayer` asked for them. */
  perLayer?: BlockMeasurement[];
  /** The settings the measurement used (estimator, probes, examples, …). */
  settings: Record<string, unknown>;
}

/**
 * A measured run: `<run>/result.json`, and one line of a sweep's derived `results.jsonl`. The training
 * fields (`loss`, `batchSize`, `learningRate`, `seed`) repeat the spec's so that a line reads on its own.
 */
export interface RunRecord {
  /** The run id: a sweep's `kld-bs100-lr0.08-seed0`, or the run directory's name. */
  id: string;
  /** {@link runSpecHash} of `spec` (empty for records of the first layout, which had no spec). */
  hash: string;
  /** The run's spec; null for records of the first layout. */
  spec: RunSpec | null;
  /** Loss trained with. */
  loss: LossName;
  /** Batch size m. */
  batchSize: number;
  /** Initial learning rate δ. */
  learningRate: number;
  /** Seed. */
  seed: number;
  /** The learning rate of the last epoch (after the schedule's decays): the δ of the stationary regime. */
  finalLearningRate: number;
  /** Epochs trained. */
  epochs: number;
  /** The last epoch's history entry. */
  final: EpochRecord;
  /** The measurement at the end of training. */
  measurement: RunMeasurement;
  /** The compute backend the measurement used (e.g. `wasm`, `tensorflow`). */
  backend: string;
  /** Wall-clock seconds of the process(es) that finished the run (a resumed run counts its last part). */
  seconds: { training: number; measuring: number };
}
