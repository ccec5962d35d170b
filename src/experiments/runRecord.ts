import type { SweepLoss } from './sweepConfig.js';

/** A Monte-Carlo estimate and its standard error. */
export interface RunEstimate {
  /** The estimate. */
  estimate: number;
  /** Its standard error (0 for exact values). */
  standardError: number;
}

/** One epoch of a run's history, as kept in `runs/<id>/history.json`. */
export interface RunEpoch {
  /** 1-based epoch number (after how many epochs these values were taken). */
  epoch: number;
  /** Mean training loss over the epoch's mini-batches. */
  trainLoss: number;
  /** Training accuracy over the epoch's mini-batches. */
  trainAccuracy: number;
  /** Loss on the validation images after the epoch; null if none were used. */
  valLoss: number | null;
  /** Accuracy on the validation images after the epoch; null if none were used. */
  valAccuracy: number | null;
  /** Learning rate used during the epoch. */
  learningRate: number;
  /** Wall-clock seconds the epoch took. */
  seconds: number;
}

/** The measurement at the end of a run (the fields of measureMinimum's result that a sweep keeps). */
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
  /** The settings the measurement used (estimator, probes, examples, …). */
  settings: Record<string, unknown>;
}

/** One finished run: a line of `results.jsonl`. */
export interface RunRecord {
  /** The run id, e.g. `kld-bs100-lr0.08-seed0`. */
  id: string;
  /** Loss trained with. */
  loss: SweepLoss;
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
  final: RunEpoch;
  /** The measurement at the end of training. */
  measurement: RunMeasurement;
  /** The compute backend the run used (e.g. `wasm`, `tensorflow`). */
  backend: string;
  /** Wall-clock seconds spent by the process(es) that finished the run (a resumed run counts its last part). */
  seconds: { training: number; measuring: number };
}
