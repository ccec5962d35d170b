export type {
  Executor,
  RunContext,
  RunFunction,
  Runner,
  RunnerModule,
  RunProgress,
  SweepEvent,
} from './executor.js';
export { inProcessExecutor } from './inProcessExecutor.js';
export * from './measureMinimum.js';
export { appendRunRecord, type RunRecordsRead, readRunRecords } from './resultsLog.js';
export { readRunHistory, runHistoryPath, writeRunHistory } from './runHistory.js';
export type { RunEpoch, RunEstimate, RunMeasurement, RunRecord } from './runRecord.js';
export { type RunSweepOptions, runSweep, type SweepSummary } from './runSweep.js';
export {
  canonicalJson,
  DEFAULT_SWEEP_MEASUREMENT,
  SWEEP_LOSSES,
  type SweepConfig,
  SweepConfigError,
  type SweepConfigInput,
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
  type RunSpec,
  runId,
  type SweepDataSource,
  type SweepTask,
  scheduledLearningRate,
  sweepTasks,
} from './sweepTask.js';
export {
  defaultRunnerModule,
  experimentsModuleUrl,
  type WorkerPoolOptions,
  workerPoolExecutor,
} from './workerPoolExecutor.js';
