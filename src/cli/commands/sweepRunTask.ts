import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SWEEP_REQUEUE_EXIT_CODE } from '../../experiments/clusterJobs.js';
import { finishedRecord } from '../../experiments/collectResults.js';
import { inProcessExecutor } from '../../experiments/inProcessExecutor.js';
import { currentHolder, inspectRunLease, leaseStaleSeconds } from '../../experiments/runLease.js';
import { runSweep } from '../../experiments/runSweep.js';
import { readPlannedSweep } from '../../experiments/sweepTaskList.js';
import { defaultRunnerModule } from '../../experiments/workerPoolExecutor.js';
import { UsageError } from '../command.js';
import { integerFlag } from '../flags.js';
import { importRunner, parseRunner } from '../runnerFlag.js';

/** The task index: `--task-index`, else `SLURM_ARRAY_TASK_ID`, else `JOB_COMPLETION_INDEX`. */
function taskIndex(flag: string | undefined): number {
  const sources: [string, string | undefined][] = [
    ['--task-index', flag],
    ['SLURM_ARRAY_TASK_ID', process.env['SLURM_ARRAY_TASK_ID']],
    ['JOB_COMPLETION_INDEX', process.env['JOB_COMPLETION_INDEX']],
  ];
  for (const [name, value] of sources)
    if (value !== undefined && value !== '') return integerFlag(name, value, 0) as number;
  throw new UsageError('give --task-index I (or run under a Slurm array or a Kubernetes Indexed Job)');
}

/**
 * `sgd-factors sweep run`: runs one task of a planned sweep. Exits 0 when the run is finished (also when
 * it already was), 1 when it failed, {@link SWEEP_REQUEUE_EXIT_CODE} when it must run again later
 * (stopped by SIGTERM/SIGUSR1 with its last checkpoint kept, or another worker holds its lease).
 */
export async function sweepRunTask(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string' },
      'task-index': { type: 'string' },
      runner: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.out === undefined) throw new UsageError('--out DIR is required');
  const index = taskIndex(values['task-index']);
  const dir = resolve(values.out);
  const { manifest, tasks } = readPlannedSweep(dir);
  const task = tasks[index];
  if (!task)
    throw new UsageError(`task index ${index} is out of range: ${dir} has tasks 0-${tasks.length - 1}`);
  const say = (line: string) => process.stderr.write(`sgd-factors sweep run: ${line}\n`);
  if (finishedRecord(task)) {
    say(`task ${index} = ${task.id} of ${dir} was already done`);
    return 0; // before loading the runner (and tfjs): resubmitting a whole array costs seconds
  }
  const runner = await importRunner(
    values.runner !== undefined ? parseRunner(values.runner) : defaultRunnerModule(),
  );
  say(
    `task ${index} = ${task.id} of ${dir}, by ${currentHolder().owner}` +
      (process.env['SLURM_JOB_ID'] ? `, SLURM_RESTART_COUNT=${process.env['SLURM_RESTART_COUNT'] ?? 0}` : ''),
  );
  // A signal abandons the epoch in progress: the last checkpoint (written atomically) stays, the lease is
  // released by runSweep's exit handler, and the exit code asks the scheduler to run the task again.
  const stop = (signal: NodeJS.Signals) => {
    say(
      `${signal}: stopping ${task.id}; its last checkpoint is kept; exit ${SWEEP_REQUEUE_EXIT_CODE} (requeue me)`,
    );
    process.exit(SWEEP_REQUEUE_EXIT_CODE);
  };
  process.once('SIGTERM', stop);
  process.once('SIGUSR1', stop);
  try {
    const summary = await runSweep({
      config: manifest.config,
      data: manifest.data,
      out: dir,
      executor: inProcessExecutor(runner),
      only: [task.id],
      collect: false,
      silent: values.quiet,
      stream: process.stderr,
      tty: false,
    });
    if (summary.finished.length > 0) {
      say(`${task.id} finished in ${summary.seconds.toFixed(1)} s`);
      return 0;
    }
    if (summary.skipped.length + summary.recovered.length > 0 || finishedRecord(task)) {
      say(`${task.id} was already done`);
      return 0;
    }
    if (summary.elsewhere.length > 0) {
      const held = inspectRunLease(task.runDir, leaseStaleSeconds());
      say(
        `${task.id} is held by ${held?.holder?.owner ?? 'another worker'}; exit ${SWEEP_REQUEUE_EXIT_CODE} (try again later)`,
      );
      return SWEEP_REQUEUE_EXIT_CODE;
    }
    for (const failure of summary.failed) say(`${failure.id} failed: ${failure.error}`);
    return 1;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGUSR1', stop);
  }
}
