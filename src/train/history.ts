import type { TrackedCurvature } from './trackCurvature.js';

/** What one training epoch did, as {@link trainSGD} records it. */
export interface EpochRecord {
  /** 0-based epoch index. */
  epoch: number;
  /** Learning rate δ used for the whole epoch. */
  lr: number;
  /**
   * Mean per-example data loss over the epoch's training batches, as each batch was seen (BN in training
   * mode, weights changing during the epoch), without the regularization term.
   */
  loss: number;
  /** Mean regularization term over the epoch's batches (Keras' reported loss is `loss + regularization`). */
  regularization: number;
  /** Training accuracy over the epoch's batches, measured the same way as `loss`. */
  accuracy: number;
  /** Mean data loss on the validation set at the end of the epoch (inference mode), if one was given. */
  valLoss?: number;
  /** Validation accuracy at the end of the epoch, if a validation set was given. */
  valAccuracy?: number;
  /** Examples seen in the epoch (with replacement or `dropLast` this can differ from the set's size). */
  examples: number;
  /** Wall-clock seconds of the training batches. */
  trainSeconds: number;
  /** Wall-clock seconds of the epoch's training and validation (not of writing its checkpoint). */
  seconds: number;
  /** Curvature measured at the end of the epoch, when `trainSGD`'s `track` option chose this epoch. */
  curvature?: TrackedCurvature;
}

/** What {@link trainSGD} reports at the end of each batch. */
export interface BatchEndInfo {
  /** 0-based epoch index. */
  epoch: number;
  /** 0-based batch index within the epoch. */
  batch: number;
  /** Number of batches in the epoch. */
  batches: number;
  /** Examples in this batch. */
  size: number;
  /** Mean data loss of the batch (before the update). */
  loss: number;
  /** Regularization term at the batch (before the update). */
  regularization: number;
  /** Batch accuracy (before the update). */
  accuracy: number;
  /** Learning rate of the update. */
  lr: number;
}
