import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { cachedCifar10Dir, defaultCifar10CacheDir, downloadCifar10 } from '../../data/downloadCifar10.js';
import type { Executor, Runner, RunnerModule } from '../../experiments/executor.js';
import { inProcessExecutor } from '../../experiments/inProcessExecutor.js';
import { runSweep } from '../../experiments/runSweep.js';
import { type SweepConfig, validateSweepConfig } from '../../experiments/sweepConfig.js';
import { SWEEP_PRESET_NAMES, sweepPreset } from '../../experiments/sweepPresets.js';
import type { SweepDataSource } from '../../experiments/sweepTask.js';
import { defaultRunnerModule, workerPoolExecutor } from '../../experiments/workerPoolExecutor.js';
import { type Command, UsageError } from '../command.js';

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

function parseCount(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < min)
    throw new UsageError(`${flag} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'train and measure a grid of batch sizes × learning rates × seeds (resumable)',
  usage: `sgd-factors sweep (--preset NAME | --config FILE.json) (--data DIR | --download | --synthetic N) --out DIR [--workers K]

Trains one network per loss × batch size × learning rate × seed, checkpointing every epoch, then measures
Tr H, tr σ², tr(σ²H), the loss and |∇f|² at the end of training. Each finished run is appended as one JSON
line to DIR/results.jsonl; its history and checkpoints stay in DIR/runs/<id>/. Running the same command
again skips finished runs and resumes interrupted ones from their last checkpoint. Make tables and figures
with 'sgd-factors report DIR'.

Options:
  --preset NAME       ${SWEEP_PRESET_NAMES.join(', ')} (see docs/reproducing-luo-wang-2021.md)
  --config FILE.json  a sweep config (fields: depth, trainSize, validationSize, epochs, schedule, losses,
                      batchSizes, learningRates, seeds, measurement, weightDecay, replacement)
  --data DIR          CIFAR-10 binary files in DIR (cifar-10-batches-bin)
  --download          download CIFAR-10 (170 MB) unless already cached, into the cache directory --data DIR
                      (default $XDG_CACHE_HOME/sgd-factors/cifar-10, else ~/.cache/sgd-factors/cifar-10)
  --synthetic N       N seeded synthetic CIFAR-shaped training images instead of CIFAR-10
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
        data: { type: 'string' },
        download: { type: 'boolean', default: false },
        synthetic: { type: 'string' },
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
    const dataFlags = [values.data !== undefined || values.download, values.synthetic !== undefined].filter(
      Boolean,
    );
    if (dataFlags.length !== 1) throw new UsageError('give one of --data DIR, --download or --synthetic N');

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

    let data: SweepDataSource;
    if (values.synthetic !== undefined) {
      const n = parseCount('--synthetic', values.synthetic, 1);
      const testN = typeof config.validationSize === 'number' ? config.validationSize : Math.ceil(n / 5);
      data = { kind: 'synthetic', n, testN, seed: 0 };
    } else {
      let dir: string;
      if (values.download) {
        const cacheDir = values.data !== undefined ? resolve(values.data) : defaultCifar10CacheDir();
        // Downloaded here, once, before any worker starts: the workers only read the files.
        dir = cachedCifar10Dir(cacheDir) ?? (await downloadCifar10({ cacheDir, silent: values.quiet }));
      } else dir = resolve(values.data as string);
      data = { kind: 'cifar10', dir };
    }

    const runnerModule = values.runner !== undefined ? parseRunner(values.runner) : defaultRunnerModule();
    const native = values.runner === undefined ? nativeTensorflowInstalled() : undefined;
    let workers = values.workers !== undefined ? parseCount('--workers', values.workers, 0) : undefined;
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

    const summary = await runSweep({
      config,
      data,
      out: resolve(values.out),
      executor,
      heavy,
      silent: values.quiet,
    });
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
