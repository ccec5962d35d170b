export {
  describeError,
  type Executor,
  type RunContext,
  type RunFunction,
  type Runner,
  type RunnerModule,
  type RunProgress,
  type SweepEvent,
} from './executor.js';
export { formatDuration } from './formatDuration.js';
export { inProcessExecutor } from './inProcessExecutor.js';
export { appendRunRecord, type RunRecordsRead, readRunRecords } from './resultsLog.js';
export { readRunHistory, runHistoryPath, writeRunHistory } from './runHistory.js';
export type { EpochRecord, Estimate, RunMeasurement, RunRecord } from './runRecord.js';
export { type RunSweepOptions, runSweep, type SweepSummary } from './runSweep.js';
export {
  canonicalJson,
  DEFAULT_SWEEP_MEASUREMENT,
  SWEEP_ESTIMATORS,
  SWEEP_LOSSES,
  type SweepConfig,
  SweepConfigError,
  type SweepConfigInput,
  type SweepEstimator,
  type SweepLoss,
  type SweepMeasurement,
  type SweepSchedule,
  sweepConfigHash,
  validateSweepConfig,
} from './sweepConfig.js';
export {
  openSweepDirectory,
  readSweepManifest,
  type SweepManifest,
  type SweepPaths,
  sweepPaths,
} from './sweepDirectory.js';
export { SWEEP_PRESET_NAMES, type SweepPreset, sweepPreset } from './sweepPresets.js';
export {
  createSweepProgress,
  type SweepProgress,
  type SweepProgressOptions,
  type TextSink,
} from './sweepProgress.js';
export {
  dataIdentity,
  learningRateAt,
  type RunSpec,
  runId,
  type SweepDataSource,
  type SweepTask,
  sweepTasks,
} from './sweepTask.js';
export {
  defaultRunnerModule,
  experimentsModuleUrl,
  type WorkerPoolOptions,
  workerPoolExecutor,
} from './workerPoolExecutor.js';
