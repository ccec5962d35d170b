import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import type { Executor, SweepEvent } from './executor.js';
import { appendRunRecord, readRunRecords } from './resultsLog.js';
import type { RunRecord } from './runRecord.js';
import { type SweepConfig, type SweepConfigInput, validateSweepConfig } from './sweepConfig.js';
import { openSweepDirectory, sweepPaths } from './sweepDirectory.js';
import { createSweepProgress, type TextSink } from './sweepProgress.js';
import { type SweepDataSource, sweepTasks } from './sweepTask.js';
import { workerPoolExecutor } from './workerPoolExecutor.js';

/** Images in the CIFAR-10 training and test sets. */
const CIFAR10_SIZES = { train: 50000, test: 10000 };

/** Options for {@link runSweep}. */
export interface RunSweepOptions {
  /** The grid: a normalized config, or one to validate. */
  config: SweepConfig | SweepConfigInput;
  /** Where the images come from. */
  data: SweepDataSource;
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

function checkDataFits(config: SweepConfig, data: SweepDataSource): void {
  const sizes =
    data.kind === 'cifar10'
      ? { train: CIFAR10_SIZES.train, test: CIFAR10_SIZES.test, what: 'CIFAR-10 has' }
      : { train: data.n, test: data.testN, what: 'the synthetic data set has' };
  if (data.kind === 'synthetic') {
    if (!Number.isInteger(data.n) || data.n < 1)
      throw new RangeError(`runSweep: data.n must be a positive integer, got ${data.n}`);
    if (!Number.isInteger(data.testN) || data.testN < 1)
      throw new RangeError(`runSweep: data.testN must be a positive integer, got ${data.testN}`);
  }
  if (typeof config.trainSize === 'number' && config.trainSize > sizes.train)
    throw new RangeError(
      `runSweep: the config's trainSize (${config.trainSize}) exceeds the ${sizes.train} training images ${sizes.what}`,
    );
  if (typeof config.validationSize === 'number' && config.validationSize > sizes.test)
    throw new RangeError(
      `runSweep: the config's validationSize (${config.validationSize}) exceeds the ${sizes.test} test images ${sizes.what}`,
    );
  const trainImages = config.trainSize === 'all' ? sizes.train : config.trainSize;
  const largest = config.batchSizes[config.batchSizes.length - 1] as number;
  if (largest > trainImages)
    throw new RangeError(`runSweep: batch size ${largest} exceeds the ${trainImages} training images`);
  if (config.measurement.examples > trainImages)
    throw new RangeError(
      `runSweep: measurement.examples (${config.measurement.examples}) exceeds the ${trainImages} training images`,
    );
}

/**
 * Runs a sweep: every loss × batch size × learning rate × seed of the config is trained and measured,
 * each finished run appended as one line to `out/results.jsonl` and its files kept in `out/runs/<id>/`.
 *
 * @remarks
 * Resumable: runs already in results.jsonl are skipped, and interrupted runs resume from their last
 * checkpoint (the runner's job), so re-running the same call after a crash or Ctrl-C finishes the sweep
 * with the results an uninterrupted one would have given. A different config (or data) pointed at a
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
  const gridIds = new Set(tasks.map((t) => t.id));

  const done = new Set(
    readRunRecords(paths.results)
      .records.map((r) => r.id)
      .filter((id) => gridIds.has(id)),
  );
  const skipped = tasks.filter((t) => done.has(t.id)).map((t) => t.id);
  const recovered: string[] = [];
  for (const task of tasks) {
    const resultFile = join(task.runDir, 'result.json');
    if (done.has(task.id) || !existsSync(resultFile)) continue;
    try {
      const record = JSON.parse(readFileSync(resultFile, 'utf8')) as RunRecord;
      if (record.id !== task.id) continue;
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
        writeFileAtomic(join(task.runDir, 'result.json'), `${JSON.stringify(event.record, null, 2)}\n`);
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
