import type { RunRecord } from '../run/runResult.js';
import type { EpochRecord } from '../train/history.js';
import type { SweepTask } from './sweepTask.js';

/** Progress a run reports while it works. */
export type RunProgress =
  | {
      /** Training started (`fromEpoch` > 0 when resumed from a checkpoint). */
      type: 'training';
      /** Epochs already done by an earlier, interrupted process. */
      fromEpoch: number;
    }
  | {
      /** An epoch finished. */
      type: 'epoch';
      /** Total epochs of the run. */
      epochs: number;
      /** The epoch's history entry. */
      record: EpochRecord;
    }
  | {
      /** Training is over; the end-of-training measurement started. */
      type: 'measuring';
    };

/** What a run may use while it works. */
export interface RunContext {
  /** The executor's slot running it (0-based), for progress display. */
  worker: number;
  /** Reports progress (forwarded to the sweep's event handler). */
  report(progress: RunProgress): void;
  /** A line for the log (e.g. a warning). */
  log(message: string): void;
}

/**
 * Runs one task: train, checkpointing every epoch and resuming from `task.runDir` if a checkpoint is
 * there, then measure; resolves to the finished run's record.
 */
export type RunFunction = (task: SweepTask, context: RunContext) => Promise<RunRecord>;

/**
 * What a worker loads to run tasks. A worker-pool or distributed executor loads it by module URL and
 * export name (functions cannot be sent between threads or machines); an in-process executor takes it
 * directly.
 */
export interface Runner {
  /**
   * Called once per worker (thread, process or machine) before its first task, e.g. to choose the tfjs
   * backend there. May resolve to a line describing the worker (logged once).
   */
  setup?(): Promise<string | undefined>;
  /** Runs one task. */
  run: RunFunction;
}

/** Where to import a {@link Runner} from: a module URL (or absolute path) and the export holding it. */
export interface RunnerModule {
  /** `file:` URL or absolute path of the module (TypeScript sources are loaded through tsx). */
  url: string;
  /** Name of the export holding the runner; default `runner`. */
  exportName?: string;
}

/** What an executor tells the sweep while it works. `worker` is the slot (0-based) doing the task. */
export type SweepEvent =
  | { type: 'started'; taskId: string; worker: number }
  | { type: 'progress'; taskId: string; worker: number; progress: RunProgress }
  | { type: 'finished'; taskId: string; worker: number; record: RunRecord }
  | { type: 'failed'; taskId: string; worker: number; error: string }
  | { type: 'log'; worker: number; message: string };

/**
 * Runs tasks and reports what happens. The sweep logic (what to run, skipping, recording results) lives
 * outside, so a new way of running tasks, e.g. a queue feeding other machines, only implements this.
 */
export interface Executor {
  /** How many tasks run at once (for ETAs and progress lines). */
  readonly concurrency: number;
  /**
   * Runs every task once and resolves when each has finished, failed or was not claimed. A task's failure
   * is an event, not a rejection; the promise rejects only when the executor itself cannot work (e.g. a
   * worker cannot start).
   *
   * @param claim - called in this thread right before a task would start; false skips the task (another
   * process holds its lease or finished it). Without it every task runs.
   */
  run(
    tasks: readonly SweepTask[],
    onEvent: (event: SweepEvent) => void,
    claim?: (task: SweepTask) => boolean,
  ): Promise<void>;
}

/** The message of an error, with its stack when `SGD_FACTORS_DEBUG` is set. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return process.env['SGD_FACTORS_DEBUG'] && error.stack ? error.stack : error.message;
}
