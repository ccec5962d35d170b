export { type BlockMeasurement, blockMeasurements } from './blockMeasurements.js';
export {
  type ArrayJob,
  indexedJobManifest,
  type KubernetesSettings,
  SLURM_SIGNAL_LEAD_SECONDS,
  type SlurmSettings,
  SWEEP_REQUEUE_EXIT_CODE,
  SWEEP_VOLUME_CLAIM,
  slurmArrayScript,
} from './clusterJobs.js';
export { type CollectedResults, collectSweepResults, finishedRecord } from './collectResults.js';
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
export { type RunFailure, readRunFailure } from './runFailure.js';
export {
  acquireRunLease,
  currentHolder,
  DEFAULT_LEASE_STALE_SECONDS,
  inspectRunLease,
  type LeaseAttempt,
  type LeaseHolder,
  type LeaseState,
  leasePath,
  leaseStaleSeconds,
  type RunLease,
  startHeartbeat,
} from './runLease.js';
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
export { sweepStatus, type TaskStatus } from './sweepStatus.js';
export { runId, type SweepTask, sweepTasks } from './sweepTask.js';
export {
  freezeSweepTasks,
  type PlannedSweep,
  readPlannedSweep,
  readSweepTaskList,
  type SweepTaskList,
  taskListPath,
} from './sweepTaskList.js';
export {
  defaultRunnerModule,
  experimentsModuleUrl,
  type WorkerPoolOptions,
  workerPoolExecutor,
} from './workerPoolExecutor.js';
