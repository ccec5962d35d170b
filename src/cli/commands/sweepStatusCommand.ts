import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sweepStatus, type TaskStatus } from '../../experiments/sweepStatus.js';
import { UsageError } from '../command.js';

function describe(task: TaskStatus): string {
  const detail = task.state === 'failed' ? task.error : task.holder;
  return `${String(task.index).padStart(4)}  ${task.id.padEnd(28)}  ${task.state.padEnd(7)}  ${String(task.epochs).padStart(4)} epochs${detail ? `  ${detail}` : ''}`;
}

/**
 * `sgd-factors sweep status DIR [--missing]`: done/running/failed/pending per task; with `--missing`, only
 * the indices to resubmit (neither done nor running), comma-separated for `sbatch --array=…`.
 */
export async function sweepStatusCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { missing: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1)
    throw new UsageError('give the sweep directory: sgd-factors sweep status DIR');
  const dir = resolve(positionals[0] as string);
  const tasks = sweepStatus(dir);
  if (values.missing) {
    const missing = tasks.filter((t) => t.state === 'pending' || t.state === 'failed').map((t) => t.index);
    process.stdout.write(`${missing.join(',')}\n`);
    if (missing.length > 0)
      process.stderr.write(`resubmit them with: sbatch --array=${missing.join(',')} sweep.sbatch\n`);
    return 0;
  }
  for (const task of tasks) process.stdout.write(`${describe(task)}\n`);
  const count = (state: TaskStatus['state']) => tasks.filter((t) => t.state === state).length;
  process.stdout.write(
    `${count('done')} done, ${count('running')} running, ${count('failed')} failed, ${count('pending')} pending, of ${tasks.length}\n`,
  );
  return 0;
}
