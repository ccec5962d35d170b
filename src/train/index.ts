export {
  CHECKPOINT_FILE,
  type CheckpointState,
  readCheckpointState,
  restoreCheckpoint,
  writeCheckpoint,
} from './checkpoint.js';
export { crossEntropyFromLogits, crossEntropyFromProbabilities } from './crossEntropyLoss.js';
export { type EvaluateOptions, type Evaluation, evaluateModel } from './evaluate.js';
export type { BatchEndInfo, EpochRecord } from './history.js';
export { KerasSGD, type NamedVariable } from './kerasSGD.js';
export { KERAS_EPSILON, kldLoss } from './kldLoss.js';
export {
  LOSS_NAMES,
  type LossFunction,
  type LossName,
  type LossSpec,
  type ResolvedLoss,
  resolveLoss,
} from './losses.js';
export {
  type LearningRateSchedule,
  learningRateAt,
  PAPER_SCHEDULE,
  type StepDecaySchedule,
  stepDecay,
} from './schedule.js';
export { squaredErrorLoss } from './squaredErrorLoss.js';
export {
  type CurvatureTracker,
  type CurvatureTracking,
  curvatureTracker,
  normalizeTracking,
  TRACKED_QUANTITIES,
  type TrackedCurvature,
  type TrackedEigenvalue,
  type TrackedQuantity,
  type TrackingProgress,
} from './trackCurvature.js';
export { NonFiniteLossError, type TrainResult, type TrainSGDOptions, trainSGD } from './trainSGD.js';
