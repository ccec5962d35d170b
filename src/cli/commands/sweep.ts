import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { prepareDataSpec } from '../../data/sources/index.js';
import type { Executor, Runner, RunnerModule } from '../../experiments/executor.js';
import { inProcessExecutor } from '../../experiments/inProcessExecutor.js';
import { runSweep } from '../../experiments/runSweep.js';
import { type SweepConfig, validateSweepConfig } from '../../experiments/sweepConfig.js';
import { SWEEP_PRESET_NAMES, sweepPreset } from '../../experiments/sweepPresets.js';
import { defaultRunnerModule, workerPoolExecutor } from '../../experiments/workerPoolExecutor.js';
import { type Command, UsageError } from '../command.js';
import { DATA_FLAG_OPTIONS, dataFlagsUsage, dataRequestFromFlags } from '../dataFlags.js';
import { asUsageError, integerFlag } from '../flags.js';
import { withResumeHint } from '../interrupt.js';

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

function parseRunner(value: string): RunnerModule {
  const [path, exportName] = value.split('#');
  if (!path) throw new UsageError(`--runner must be MODULE[#EXPORT], got '${value}'`);
  return { url: pathToFileURL(resolve(path)).href, exportName: exportName || 'runner' };
}

async function importRunner(module: RunnerModule): Promise<Runner> {
  const exportName = module.exportName ?? 'runner';
  const runner = ((await import(module.url)) as Record<string, unknown>)[exportName] as Runner | undefined;
  if (!runner || typeof runner.run !== 'function')
    throw new Error(`${module.url} has no export '${exportName}' with a run(task, context) function`);
  return runner;
}

/** `sgd-factors sweep`: trains and measures a grid of runs, resumably. */
export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'train and measure a grid of batch sizes × learning rates × seeds (resumable)',
  usage: `sgd-factors sweep (--preset NAME | --config FILE.json) [--dataset NAME] (--data DIR | --download | --synthetic N) --out DIR [--workers K]

Trains one network per loss × batch size × learning rate × seed, checkpointing every epoch, then measures
Tr H, tr σ², tr(σ²H), the loss and |∇f|² at the end of training. Each finished run is appended as one JSON
line to DIR/results.jsonl; DIR/runs/<id>/ is a run directory like train's (config.json, checkpoint/,
history.json, weights.safetensors, result.json). Running the same command
again skips finished runs and resumes interrupted ones from their last checkpoint. Make tables and figures
with 'sgd-factors report DIR'.

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
  --quiet             no progress output`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        preset: { type: 'string' },
        config: { type: 'string' },
        ...DATA_FLAG_OPTIONS,
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

    let config: SweepConfig;
    let heavy = false;
    if (values.preset !== undefined) {
      if (!SWEEP_PRESET_NAMES.includes(values.preset))
        throw new UsageError(
          `unknown preset '${values.preset}'; known presets: ${SWEEP_PRESET_NAMES.join(', ')}`,
        );
      const preset = sweepPreset(values.preset);
      config = preset.config;
      heavy = preset.heavy;
    } else {
      const file = values.config as string;
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new Error(`cannot read the config ${file}: ${(error as Error).message}`);
      }
      config = validateSweepConfig(parsed, file);
    }

    const size = (x: number | 'all') => (x === 'all' ? null : x);
    const request = dataRequestFromFlags(
      { ...values, dataset: values.dataset ?? (values.synthetic === undefined ? config.dataset : undefined) },
      { trainSize: size(config.trainSize), testSize: size(config.validationSize) },
    );
    if (request.name !== config.dataset) config = { ...config, dataset: request.name };
    // Located (and downloaded) here, once, before any worker starts: the workers only read the files.
    const data = await asUsageError('data', () =>
      prepareDataSpec({ ...request, quiet: values.quiet }, 'sweep'),
    );

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
    for (const failure of summary.failed) process.stdout.write(`  failed: ${failure.id}: ${failure.error}\n`);
    if (summary.failed.length > 0) {
      process.stdout.write('Re-run the same command to retry the failed runs.\n');
      return 1;
    }
    process.stdout.write(`Make the tables and figures with: sgd-factors report ${out}\n`);
    return 0;
  },
};
