import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { indexedJobManifest, slurmArrayScript } from '../../experiments/clusterJobs.js';
import { checkDataFits } from '../../experiments/runSweep.js';
import { validateSweepConfig } from '../../experiments/sweepConfig.js';
import { openSweepDirectory } from '../../experiments/sweepDirectory.js';
import { freezeSweepTasks } from '../../experiments/sweepTaskList.js';
import { UsageError } from '../command.js';
import { asUsageError, integerFlag } from '../flags.js';
import { SWEEP_CONFIG_OPTIONS, sweepFromFlags } from '../sweepConfigFlags.js';

const SLURM_ONLY = ['partition', 'gres', 'time'] as const;

/**
 * `sgd-factors sweep plan`: creates the sweep directory with its `sweep.json` and frozen `tasks.json`, and
 * prints the sbatch script (`--slurm`) or the Indexed Job manifest (`--k8s`) that runs it.
 */
export async function sweepPlan(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...SWEEP_CONFIG_OPTIONS,
      out: { type: 'string' },
      slurm: { type: 'boolean', default: false },
      partition: { type: 'string' },
      gres: { type: 'string' },
      time: { type: 'string' },
      'max-parallel': { type: 'string' },
      'cpus-per-task': { type: 'string' },
      k8s: { type: 'boolean', default: false },
      image: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.out === undefined) throw new UsageError('--out DIR is required');
  if (values.slurm && values.k8s) throw new UsageError('give --slurm or --k8s, not both');
  for (const flag of SLURM_ONLY)
    if (values[flag] !== undefined && !values.slurm)
      throw new UsageError(`--${flag} applies to --slurm only`);
  if (values.k8s !== (values.image !== undefined))
    throw new UsageError('--k8s needs --image IMG, and --image needs --k8s');
  const maxParallel = integerFlag('--max-parallel', values['max-parallel'], 1);
  const cpusPerTask = integerFlag('--cpus-per-task', values['cpus-per-task'], 1);
  const { config: chosen, data } = await sweepFromFlags(values, values.quiet, 'sweep plan');
  const config = validateSweepConfig(chosen, 'sweep plan');
  asUsageError('data', () => checkDataFits(config, data));

  const dir = resolve(values.out);
  const manifest = openSweepDirectory(dir, config, data);
  const tasks = freezeSweepTasks(dir, manifest);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const job = {
    dir,
    name: config.name,
    tasks: tasks.length,
    ...(maxParallel !== undefined ? { maxParallel } : {}),
    ...(cpusPerTask !== undefined ? { cpusPerTask } : {}),
  };
  if (values.slurm) {
    const slurm = Object.fromEntries(
      SLURM_ONLY.filter((f) => values[f] !== undefined).map((f) => [f, values[f]]),
    );
    process.stdout.write(slurmArrayScript(job, slurm));
  } else if (values.k8s) process.stdout.write(indexedJobManifest(job, { image: values.image as string }));
  if (!values.quiet)
    process.stderr.write(
      `sgd-factors sweep plan: '${config.name}' (${manifest.hash}) in ${dir}: ${tasks.length} tasks (0-${tasks.length - 1}) in tasks.json\n` +
        (values.slurm
          ? '  submit the script printed above: sgd-factors sweep plan … --slurm > sweep.sbatch && sbatch sweep.sbatch\n'
          : values.k8s
            ? '  apply the manifest printed above: sgd-factors sweep plan … --k8s --image IMG > job.yaml && kubectl apply -f job.yaml\n'
            : `  run task I with: sgd-factors sweep run --out ${dir} --task-index I\n`),
    );
  return 0;
}
