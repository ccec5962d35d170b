import { readRunHistory } from '../run/runDirectory.js';
import { finishedRecord } from './collectResults.js';
import { readRunFailure } from './runFailure.js';
import { inspectRunLease, leaseStaleSeconds } from './runLease.js';
import { readPlannedSweep } from './sweepTaskList.js';

/** Where one task of a planned sweep stands. */
export interface TaskStatus {
  /** The task index (Slurm array index, Kubernetes completion index). */
  index: number;
  /** The run id. */
  id: string;
  /**
   * `done`: result.json of this spec exists; `running`: a live lease; `failed`: the last attempt failed
   * and nobody holds it; `pending`: not started, or its holder stopped (a stale lease).
   */
  state: 'done' | 'running' | 'failed' | 'pending';
  /** Epochs in the run's history.json. */
  epochs: number;
  /** The lease holder (running), or the stale holder and why (pending). */
  holder?: string;
  /** The last failure's message (failed). */
  error?: string;
}

/**
 * Where every task of a planned sweep stands, read from the run directories (result.json, lease,
 * failure.json, history.json); nothing is written.
 *
 * @param dir - a sweep directory planned with `sgd-factors sweep plan`.
 * @param staleSeconds - lease stale time; default {@link leaseStaleSeconds}.
 */
export function sweepStatus(dir: string, staleSeconds = leaseStaleSeconds()): TaskStatus[] {
  return readPlannedSweep(dir).tasks.map((task, index) => {
    const base = { index, id: task.id, epochs: readRunHistory(task.runDir).length };
    if (finishedRecord(task)) return { ...base, state: 'done' };
    const lease = inspectRunLease(task.runDir, staleSeconds);
    const owner = lease?.holder?.owner ?? 'a worker starting up';
    if (lease && !lease.staleBecause) return { ...base, state: 'running', holder: owner };
    const failure = readRunFailure(task.runDir);
    if (failure) return { ...base, state: 'failed', error: failure.error };
    return {
      ...base,
      state: 'pending',
      ...(lease ? { holder: `${owner} (stale: ${lease.staleBecause})` } : {}),
    };
  });
}
