import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Executor } from '../../experiments/executor.js';
import { inProcessExecutor } from '../../experiments/inProcessExecutor.js';
import { runSweep } from '../../experiments/runSweep.js';
import { SWEEP_PRESET_NAMES } from '../../experiments/sweepPresets.js';
import { defaultRunnerModule, workerPoolExecutor } from '../../experiments/workerPoolExecutor.js';
import { type Command, UsageError } from '../command.js';
import { dataFlagsUsage } from '../dataFlags.js';
import { integerFlag } from '../flags.js';
import { withResumeHint } from '../interrupt.js';
import { importRunner, parseRunner } from '../runnerFlag.js';
import { SWEEP_CONFIG_OPTIONS, sweepFromFlags } from '../sweepConfigFlags.js';
import { SWEEP_SUBCOMMANDS_USAGE, sweepSubcommands } from './sweepSubcommands.js';

/** Whether a native TensorFlow package is installed (resolvable), without loading it. */
function nativeTensorflowInstalled(): string | undefined {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      import.meta.resolve(pkg);
      return pkg;
    } catch {
      // not installed
    }
  }
  return undefined;
}

/** `sgd-factors sweep`: trains and measures a grid of runs, resumably. */
export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'train and measure a grid of batch sizes × learning rates × seeds (resumable)',
  usage: `sgd-factors sweep (--preset NAME | --config FILE.json) [--dataset NAME] (--data DIR | --download | --synthetic N) --out DIR [--workers K]
       sgd-factors sweep plan|run|status|collect …   (on a cluster; see below)

Trains one network per loss × batch size × learning rate × seed, checkpointing every epoch, then measures
Tr H, tr σ², tr(σ²H), the loss and |∇f|² at the end of training. Each finished run writes its result.json
and DIR/results.jsonl is rewritten from those; DIR/runs/<id>/ is a run directory like train's (config.json, checkpoint/,
history.json, weights.safetensors, result.json). Running the same command
again skips finished runs and resumes interrupted ones from their last checkpoint; each run is trained under
a lease (DIR/runs/<id>/lease), so several sweep processes on one directory share the runs. Make tables and
figures with 'sgd-factors report DIR'.

Options:
  --preset NAME       ${SWEEP_PRESET_NAMES.join(', ')} (see docs/reproducing-luo-wang-2021.md)
  --config FILE.json  a sweep config (fields: dataset, model {name, options} or depth/weightDecay,
                      trainSize, validationSize, epochs, schedule, losses, batchSizes, learningRates,
                      seeds, measurement, replacement)
${dataFlagsUsage()}
                      (the data flags choose the dataset; without --dataset or --synthetic the config's)
  --out DIR           the sweep directory (new, empty, or holding this same sweep)
  --workers K         runs at once, each in its own worker thread (default: number of cores); 0 runs them
                      one by one in this thread (the default, and the only option, with tfjs-node(-gpu))
  --runner MODULE[#EXPORT]  run tasks with another runner module (advanced; tests use a toy runner)
  --quiet             no progress output

${SWEEP_SUBCOMMANDS_USAGE}`,
  async run(args) {
    const subcommand = args[0] !== undefined ? sweepSubcommands[args[0]] : undefined;
    if (subcommand) return subcommand(args.slice(1));
    const { values } = parseArgs({
      args,
      options: {
        ...SWEEP_CONFIG_OPTIONS,
        out: { type: 'string' },
        workers: { type: 'string' },
        runner: { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if ((values.preset === undefined) === (values.config === undefined))
      throw new UsageError('give exactly one of --preset NAME or --config FILE.json');
    if (values.out === undefined) throw new UsageError('--out DIR is required');
    const { config, heavy, data } = await sweepFromFlags(values, values.quiet, 'sweep');

    const runnerModule = values.runner !== undefined ? parseRunner(values.runner) : defaultRunnerModule();
    const native = values.runner === undefined ? nativeTensorflowInstalled() : undefined;
    let workers = values.workers !== undefined ? integerFlag('--workers', values.workers, 0) : undefined;
    const notes: string[] = [];
    if (native && workers !== undefined && workers > 0) {
      notes.push(
        `${native} is installed: native TensorFlow cannot load in several worker threads (tensorflow/tfjs#8388), so runs go one by one in this thread`,
      );
      workers = 0;
    }
    workers ??= native ? 0 : availableParallelism();
    const executor: Executor =
      workers === 0
        ? inProcessExecutor(await importRunner(runnerModule))
        : workerPoolExecutor({ workers, runner: runnerModule });
    if (!values.quiet) for (const note of notes) process.stderr.write(`sgd-factors sweep: ${note}\n`);

    const summary = await withResumeHint(
      "finished runs and every run's last epoch are kept; run the same command again to resume",
      () =>
        runSweep({
          config,
          data,
          out: resolve(values.out as string),
          executor,
          heavy,
          silent: values.quiet,
        }),
    );
    const out = values.out;
    process.stdout.write(
      `${summary.finished.length} runs finished, ${summary.skipped.length + summary.recovered.length} were already done, ` +
        `${summary.failed.length} failed, of ${summary.total}; results in ${join(out, 'results.jsonl')}\n`,
    );
    if (summary.elsewhere.length > 0)
      process.stdout.write(
        `${summary.elsewhere.length} runs were taken by another worker (see 'sgd-factors sweep status ${out}'): ${summary.elsewhere.join(', ')}\n`,
      );
    for (const failure of summary.failed) process.stdout.write(`  failed: ${failure.id}: ${failure.error}\n`);
    if (summary.failed.length > 0) {
      process.stdout.write('Re-run the same command to retry the failed runs.\n');
      return 1;
    }
    process.stdout.write(`Make the tables and figures with: sgd-factors report ${out}\n`);
    return 0;
  },
};
