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
export { type RunSweepOptions, runSweep, type SweepSummary } from './runSweep.js';
export {
  type SweepConfig,
  SweepConfigError,
  type SweepConfigInput,
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
export { runId, type SweepTask, sweepTasks } from './sweepTask.js';
export {
  defaultRunnerModule,
  experimentsModuleUrl,
  type WorkerPoolOptions,
  workerPoolExecutor,
} from './workerPoolExecutor.js';
