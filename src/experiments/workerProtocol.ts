import type { RunnerModule, RunProgress } from './executor.js';
import type { RunRecord } from '../run/runResult.js';
import type { SweepTask } from './sweepTask.js';

/** The `workerData` of a sweep worker thread. */
export interface SweepWorkerData {
  /** The runner to import. */
  runner: RunnerModule;
  /** The worker's slot (0-based). */
  worker: number;
}

/** Messages from the pool to a worker. */
export type ToWorkerMessage = { type: 'task'; task: SweepTask };

/** Messages from a worker to the pool. */
export type FromWorkerMessage =
  | { type: 'ready'; line: string | undefined }
  | { type: 'setupFailed'; error: string }
  | { type: 'progress'; taskId: string; progress: RunProgress }
  | { type: 'log'; message: string }
  | { type: 'finished'; taskId: string; record: RunRecord }
  | { type: 'failed'; taskId: string; error: string };
