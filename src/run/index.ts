export { formatMeasurementPlan, type MeasurementPlan, planMeasurement } from './measurementPlan.js';
export { type MeasureRunOptions, measureRun, runMeasurement, runRecord } from './measureRun.js';
export {
  type RunConfigFile,
  type RunPaths,
  readRunConfig,
  readRunHistory,
  readRunResult,
  runPaths,
  specDifferences,
  writeRunConfig,
  writeRunHistory,
  writeRunResult,
} from './runDirectory.js';
export type { RunEstimate, RunMeasurement, RunRecord } from './runResult.js';
export {
  DEFAULT_MEASUREMENT,
  type MeasurementSpec,
  type RunSpec,
  runSpecHash,
  type ScheduleSpec,
  type TrainingSpec,
  trainingHash,
} from './runSpec.js';
export { type TrainedRun, type TrainRunOptions, trainRun } from './trainRun.js';
