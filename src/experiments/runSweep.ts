import { mkdirSync } from 'node:fs';
import { type DataSpec, dataSpecShape } from '../data/sources/index.js';
import { writeRunResult } from '../run/runDirectory.js';
import { runSpecHash } from '../run/runSpec.js';
import { collectSweepResults, finishedRecord } from './collectResults.js';
import type { Executor, SweepEvent } from './executor.js';
import { readRunRecords } from './resultsLog.js';
import { clearRunFailure, writeRunFailure } from './runFailure.js';
import {
  acquireRunLease,
  currentHolder,
  leaseStaleSeconds,
  type RunLease,
  startHeartbeat,
} from './runLease.js';
import { type SweepConfig, type SweepConfigInput, validateSweepConfig } from './sweepConfig.js';
import { openSweepDirectory, sweepPaths } from './sweepDirectory.js';
import { createSweepProgress, type TextSink } from './sweepProgress.js';
import { type SweepTask, sweepTasks } from './sweepTask.js';
import { workerPoolExecutor } from './workerPoolExecutor.js';

/** Options for {@link runSweep}. */
export interface RunSweepOptions {
  /** The grid: a normalized config, or one to validate. */
  config: SweepConfig | SweepConfigInput;
  /**
   * The data every run uses (from `prepareDataSpec`); its name must be the config's `dataset`, its
   * `trainSize`/`testSize` the config's `trainSize`/`validationSize`.
   */
  data: DataSpec;
  /** The sweep directory (created if missing; resumed if it holds the same sweep). */
  out: string;
  /** Who runs the tasks. Default: a worker pool with one worker per core. */
  executor?: Executor;
  /** Say at the start that this sweep is meant for a GPU or many CPU-days. */
  heavy?: boolean;
  /** Where progress goes; default process.stderr. */
  stream?: TextSink;
  /** Print no progress. */
  silent?: boolean;
  /** Force redrawn (TTY) or plain progress lines. */
  tty?: boolean;
  /** Also called with every executor event. */
  onEvent?: (event: SweepEvent) => void;
  /** Run only these run ids of the grid (a job-array task runs one); default all. */
  only?: readonly string[];
  /**
   * Rewrite `results.jsonl` from the per-run results after each finished run (default true). Job-array
   * tasks leave it to `sgd-factors sweep collect`, so that one process writes it.
   */
  collect?: boolean;
  /** Seconds after which another worker's lease counts as abandoned; default {@link leaseStaleSeconds}. */
  leaseStaleSeconds?: number;
}

/** What {@link runSweep} did. */
export interface SweepSummary {
  /** The sweep directory. */
  dir: string;
  /** The sweep's config hash (as in sweep.json). */
  hash: string;
  /** Runs in the grid. */
  total: number;
  /** Runs already in results.jsonl at the start, not run again. */
  skipped: string[];
  /** Runs whose result.json was written but not yet appended to results.jsonl (a crash in between). */
  recovered: string[];
  /** Runs another worker was running (its lease was live) or finished meanwhile: not run by this call. */
  elsewhere: string[];
  /** Runs finished by this call. */
  finished: string[];
  /** Runs that failed in this call, with the error; re-running the sweep retries them. */
  failed: { id: string; error: string }[];
  /** Wall-clock seconds of this call. */
  seconds: number;
}

/**
 * Checks that the data fits the config: its name, sizes, and enough examples for the largest batch and the
 * measurement.
 *
 * @throws RangeError naming what does not fit.
 */
export function checkDataFits(config: SweepConfig, data: DataSpec): void {
  if (data.name !== config.dataset)
    throw new RangeError(
      `runSweep: the config's dataset is '${config.dataset}', the data given is '${data.name}'`,
    );
  const size = (s: number | 'all') => (s === 'all' ? null : s);
  if (data.trainSize !== size(config.trainSize) || data.testSize !== size(config.validationSize))
    throw new RangeError(
      `runSweep: the data's trainSize/testSize (${data.trainSize}/${data.testSize}) are not the config's trainSize/validationSize (${config.trainSize}/${config.validationSize})`,
    );
  const trainImages = dataSpecShape(data).trainSize;
  const largest = config.batchSizes[config.batchSizes.length - 1] as number;
  if (largest > trainImages)
    throw new RangeError(`runSweep: batch size ${largest} exceeds the ${trainImages} training examples`);
  if (config.measurement.examples > trainImages)
    throw new RangeError(
      `runSweep: measurement.examples (${config.measurement.examples}) exceeds the ${trainImages} training examples`,
    );
}

/**
 * The runs of the grid already finished: a result.json, or a line of results.jsonl, with the hash of the
 * run's whole spec (after a change of the measurement settings, finished trainings are measured again).
 */
function findDone(
  tasks: readonly SweepTask[],
  resultsPath: string,
): { done: Set<string>; recovered: string[] } {
  const hashes = new Map(tasks.map((t) => [t.id, runSpecHash(t.spec)]));
  const inIndex = new Set(
    readRunRecords(resultsPath)
      .records.filter((r) => hashes.get(r.id) === r.hash)
      .map((r) => r.id),
  );
  const done = new Set<string>();
  const recovered: string[] = [];
  for (const task of tasks) {
    if (finishedRecord(task)) {
      done.add(task.id);
      if (!inIndex.has(task.id)) recovered.push(task.id);
    } else if (inIndex.has(task.id)) done.add(task.id);
  }
  return { done, recovered };
}

/**
 * Claims runs for this process with their leases, keeps the leases alive, and releases them when a run
 * ends or the process exits (also through `process.exit` from a signal handler).
 */
function leaseKeeper(staleSeconds: number) {
  const held = new Map<string, RunLease>();
  const elsewhere: string[] = [];
  const stopHeartbeat = startHeartbeat(() => held.values(), staleSeconds);
  const releaseAll = () => {
    for (const lease of held.values()) lease.release();
    held.clear();
  };
  process.on('exit', releaseAll);
  return {
    elsewhere,
    claim(task: SweepTask): boolean {
      mkdirSync(task.runDir, { recursive: true });
      const attempt = acquireRunLease(task.runDir, staleSeconds);
      if ('heldBy' in attempt) {
        elsewhere.push(task.id);
        return false;
      }
      if (finishedRecord(task)) {
        attempt.lease.release(); // finished by another worker since this process started
        elsewhere.push(task.id);
        return false;
      }
      held.set(task.id, attempt.lease);
      return true;
    },
    release(id: string) {
      held.get(id)?.release();
      held.delete(id);
    },
    stop() {
      stopHeartbeat();
      releaseAll();
      process.off('exit', releaseAll);
    },
  };
}

/**
 * Runs a sweep: every loss × batch size × learning rate × seed of the config is trained and measured,
 * each run's files kept in `out/runs/<id>/` with its measurement in `result.json`, and `out/results.jsonl`
 * rewritten from those as runs finish.
 *
 * @remarks
 * Resumable: runs already measured with the same spec (their result's hash) are skipped, and interrupted
 * runs resume from their last checkpoint (the runner's job), so re-running the same call after a crash or
 * Ctrl-C finishes the sweep with the results an uninterrupted one would have given. Changed measurement
 * settings are allowed: finished trainings are then measured again. Shareable: each run is trained under a lease
 * (`runs/<id>/lease`, see {@link acquireRunLease}), so several `sweep` processes, or job-array tasks, on
 * one directory share the runs instead of training each twice. A different config (or data) pointed at a
 * directory holding a sweep is refused with an error naming the differences; `out/sweep.json` keeps the
 * normalized config and its hash. A run that fails is reported (and `runs/<id>/failure.json` written); the
 * other runs go on, and the next call retries it.
 *
 * @param options - config, data, output directory, executor, progress output.
 * @returns what was skipped, finished and failed.
 */
export async function runSweep(options: RunSweepOptions): Promise<SweepSummary> {
  const started = Date.now();
  const config = validateSweepConfig(options.config, 'runSweep: config');
  checkDataFits(config, options.data);
  const manifest = openSweepDirectory(options.out, config, options.data);
  const paths = sweepPaths(options.out);
  const grid = sweepTasks(config, options.data, options.out);
  const only = options.only ? new Set(options.only) : undefined;
  for (const id of only ?? [])
    if (!grid.some((t) => t.id === id))
      throw new RangeError(`runSweep: options.only names '${id}', not a run of the grid`);
  const tasks = only ? grid.filter((t) => only.has(t.id)) : grid;
  const { done, recovered } = findDone(tasks, paths.results);
  const collect = options.collect ?? true;
  if (collect && recovered.length > 0) collectSweepResults(options.out);
  const skipped = tasks.filter((t) => done.has(t.id) && !recovered.includes(t.id)).map((t) => t.id);
  const todo = tasks.filter((t) => !done.has(t.id));

  const executor = options.executor ?? workerPoolExecutor();
  const concurrency = Math.min(executor.concurrency, Math.max(1, todo.length));
  const progress = createSweepProgress({
    tasks: todo,
    concurrency,
    alreadyDone: done.size,
    ...(options.stream ? { stream: options.stream } : {}),
    ...(options.silent !== undefined ? { silent: options.silent } : {}),
    ...(options.tty !== undefined ? { tty: options.tty } : {}),
  });
  progress.log(
    `sweep '${config.name}' (${manifest.hash}) in ${options.out}: ${tasks.length} runs, ` +
      `${done.size} already done${recovered.length ? ` (${recovered.length} recovered from result.json)` : ''}, ` +
      `${todo.length} to run, ${concurrency} at a time`,
  );
  if (options.heavy && todo.length > 0)
    progress.log(
      `sweep: '${config.name}' is meant for a GPU (install @tensorflow/tfjs-node-gpu) or many CPU-days; ` +
        'an estimate of its duration follows the first epoch',
    );

  const leases = leaseKeeper(options.leaseStaleSeconds ?? leaseStaleSeconds());
  const finished: string[] = [];
  const failed: { id: string; error: string }[] = [];
  const onEvent = (event: SweepEvent) => {
    const task = 'taskId' in event ? tasks.find((t) => t.id === event.taskId) : undefined;
    if (event.type === 'finished') {
      if (!task || event.record.id !== event.taskId) {
        failed.push({ id: event.taskId, error: `the runner returned a record for '${event.record.id}'` });
      } else {
        writeRunResult(task.runDir, event.record);
        clearRunFailure(task.runDir);
        leases.release(task.id);
        if (collect) collectSweepResults(options.out);
        finished.push(event.taskId);
      }
    } else if (event.type === 'failed') {
      if (task) {
        writeRunFailure(task.runDir, {
          error: event.error,
          owner: currentHolder().owner,
          at: new Date().toISOString(),
        });
        leases.release(task.id);
      }
      failed.push({ id: event.taskId, error: event.error });
    }
    progress.event(event);
    options.onEvent?.(event);
  };
  try {
    await executor.run(todo, onEvent, (task) => leases.claim(task));
  } finally {
    leases.stop();
    progress.done();
  }
  if (collect && todo.length > 0) collectSweepResults(options.out);
  return {
    dir: options.out,
    hash: manifest.hash,
    total: tasks.length,
    skipped,
    recovered,
    elsewhere: leases.elsewhere,
    finished,
    failed,
    seconds: (Date.now() - started) / 1000,
  };
}
