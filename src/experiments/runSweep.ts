import { type DataSpec, dataSpecShape } from '../data/sources/index.js';
import { readRunResult, writeRunResult } from '../run/runDirectory.js';
import type { RunRecord } from '../run/runResult.js';
import { runSpecHash } from '../run/runSpec.js';
import type { Executor, SweepEvent } from './executor.js';
import { appendRunRecord, readRunRecords } from './resultsLog.js';
import { type SweepConfig, type SweepConfigInput, validateSweepConfig } from './sweepConfig.js';
import { openSweepDirectory, sweepPaths } from './sweepDirectory.js';
import { createSweepProgress, type TextSink } from './sweepProgress.js';
import { sweepTasks } from './sweepTask.js';
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
  /** Runs finished by this call. */
  finished: string[];
  /** Runs that failed in this call, with the error; re-running the sweep retries them. */
  failed: { id: string; error: string }[];
  /** Wall-clock seconds of this call. */
  seconds: number;
}

function checkDataFits(config: SweepConfig, data: DataSpec): void {
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
 * Runs a sweep: every loss × batch size × learning rate × seed of the config is trained and measured,
 * each finished run appended as one line to `out/results.jsonl` and its files kept in `out/runs/<id>/`.
 *
 * @remarks
 * Resumable: runs already measured with the same spec (their result's hash) are skipped, and interrupted
 * runs resume from their last checkpoint (the runner's job), so re-running the same call after a crash or
 * Ctrl-C finishes the sweep with the results an uninterrupted one would have given. Changed measurement
 * settings are allowed: finished trainings are then measured again. A different config (or data) pointed at a
 * directory holding a sweep is refused with an error naming the differences; `out/sweep.json` keeps the
 * normalized config and its hash. A run that fails is reported and left out of results.jsonl; the other
 * runs go on, and the next call retries it.
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
  const tasks = sweepTasks(config, options.data, options.out);
  // A run is done when its record has the hash of its whole spec: after a change of the measurement
  // settings, finished trainings are measured again (their training resumes from its last checkpoint).
  const hashes = new Map(tasks.map((t) => [t.id, runSpecHash(t.spec)]));
  const isCurrent = (record: RunRecord | undefined) =>
    record !== undefined && hashes.get(record.id) === record.hash;
  const done = new Set(
    readRunRecords(paths.results)
      .records.filter(isCurrent)
      .map((r) => r.id),
  );
  const skipped = tasks.filter((t) => done.has(t.id)).map((t) => t.id);
  const recovered: string[] = [];
  for (const task of tasks) {
    if (done.has(task.id)) continue;
    try {
      const record = readRunResult(task.runDir);
      if (record?.id !== task.id || !isCurrent(record)) continue;
      appendRunRecord(paths.results, record);
      done.add(task.id);
      recovered.push(task.id);
    } catch {
      // A result.json that cannot be read is treated as absent: the run is resumed and measured again.
    }
  }
  const todo = tasks.filter((t) => !done.has(t.id));

  const executor = options.executor ?? workerPoolExecutor();
  const progress = createSweepProgress({
    tasks: todo,
    concurrency: Math.min(executor.concurrency, Math.max(1, todo.length)),
    alreadyDone: done.size,
    ...(options.stream ? { stream: options.stream } : {}),
    ...(options.silent !== undefined ? { silent: options.silent } : {}),
    ...(options.tty !== undefined ? { tty: options.tty } : {}),
  });
  progress.log(
    `sweep '${config.name}' (${manifest.hash}) in ${options.out}: ${tasks.length} runs, ` +
      `${done.size} already done${recovered.length ? ` (${recovered.length} recovered from result.json)` : ''}, ` +
      `${todo.length} to run, ${Math.min(executor.concurrency, Math.max(1, todo.length))} at a time`,
  );
  if (options.heavy && todo.length > 0)
    progress.log(
      `sweep: '${config.name}' is meant for a GPU (install @tensorflow/tfjs-node-gpu) or many CPU-days; ` +
        'an estimate of its duration follows the first epoch',
    );

  const finished: string[] = [];
  const failed: { id: string; error: string }[] = [];
  const onEvent = (event: SweepEvent) => {
    if (event.type === 'finished') {
      const task = tasks.find((t) => t.id === event.taskId);
      if (!task || event.record.id !== event.taskId) {
        failed.push({ id: event.taskId, error: `the runner returned a record for '${event.record.id}'` });
      } else {
        // result.json first: if the process dies before the append, the next start recovers the line.
        writeRunResult(task.runDir, event.record);
        appendRunRecord(paths.results, event.record);
        finished.push(event.taskId);
      }
    } else if (event.type === 'failed') {
      failed.push({ id: event.taskId, error: event.error });
    }
    progress.event(event);
    options.onEvent?.(event);
  };
  try {
    await executor.run(todo, onEvent);
  } finally {
    progress.done();
  }
  return {
    dir: options.out,
    hash: manifest.hash,
    total: tasks.length,
    skipped,
    recovered,
    finished,
    failed,
    seconds: (Date.now() - started) / 1000,
  };
}
