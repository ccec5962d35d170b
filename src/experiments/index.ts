export { type BlockMeasurement, blockMeasurements } from './blockMeasurements.js';
export {
  type ArrayJob,
  indexedJobManifest,
  type KubernetesSettings,
  type SlurmSettings,
  slurmArrayScript,
} from './clusterJobs.js';
export { type CollectedResults, collectSweepResults } from './collectResults.js';
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
export { type RunRecordsRead, readRunRecords } from './resultsLog.js';
export { type RunFailure, readRunFailure } from './runFailure.js';
export {} from './runLease.js';
export { type RunSweepOptions, runSweep, type SweepSummary } from './runSweep.js';
export {
  type SweepConfig,
  SweepConfigError,
  type SweepConfigInput,
  sweepConfigHash,
  validateSweepConfig,
} from './sweepConfig.js';
export {
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
export { sweepStatus, type TaskStatus } from './sweepStatus.js';
export { runId, type SweepTask, sweepTasks } from './sweepTask.js';
export {
  type PlannedSweep,
  readPlannedSweep,
  type SweepTaskList,
} from './sweepTaskList.js';
export {
  defaultRunnerModule,
  type WorkerPoolOptions,
  workerPoolExecutor,
} from './workerPoolExecutor.js';
