import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, initBackend } from '../../backend/initBackend.js';
import type { SplitDataset } from '../../data/dataset.js';
import { cachedCifar10Dir, defaultCifar10CacheDir, downloadCifar10 } from '../../data/downloadCifar10.js';
import { loadCifar10 } from '../../data/loadCifar10.js';
import { syntheticCifar10 } from '../../data/syntheticCifar10.js';
import { encodeSafetensors } from '../../io/safetensors.js';
import { saveWeights } from '../../io/weights.js';
import { resnetBlocksPerStack, resnetV1 } from '../../models/resnetV1.js';
import { readCheckpointState } from '../../train/checkpoint.js';
import { LOSS_NAMES, type LossName } from '../../train/losses.js';
import { RUN_CONFIG_FILE, type RunDataSource, type TrainRunConfig } from '../../train/runConfig.js';
import { stepDecay } from '../../train/schedule.js';
import { trainSGD } from '../../train/trainSGD.js';
import { writeFileAtomic } from '../../util/atomicWrite.js';
import { type Command, UsageError } from '../command.js';

function integer(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`${flag} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

function number(
  flag: string,
  value: string | undefined,
  check: (x: number) => boolean,
  what: string,
): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || !check(x))
    throw new UsageError(`${flag} must be ${what}, got '${value}'`);
  return x;
}

/** Compares the parts of two run configurations that must agree to resume; returns the differences. */
function configDifferences(then: TrainRunConfig, now: TrainRunConfig): string[] {
  const out: string[] = [];
  for (const key of ['model', 'data', 'training'] as const) {
    const a = then[key] as unknown as Record<string, unknown>;
    const b = now[key] as unknown as Record<string, unknown>;
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (key === 'training' && k === 'epochs') continue;
      if (JSON.stringify(a[k]) !== JSON.stringify(b[k]))
        out.push(`${key}.${k}: ${JSON.stringify(a[k])} before, ${JSON.stringify(b[k])} now`);
    }
  }
  return out;
}

/** `sgd-factors train`: trains a ResNet v1 with {@link trainSGD} into a resumable run directory. */
export const trainCommand: Command = {
  name: 'train',
  summary: 'train a ResNet v1 with plain SGD at a chosen learning rate and batch size (resumable)',
  usage: `sgd-factors train --depth D --lr δ --batch-size m (--data DIR | --download | --synthetic N) --out DIR [options]

Trains resnet_v1 (Keras cifar10_resnet.py, the paper's Figure 1) with mini-batch SGD and the paper's
step schedule (δ, then δ/10 from epoch 60, δ/100 from epoch 100), checkpointing after every epoch.
Writes into DIR: config.json (what was run), history.json (per-epoch loss, accuracy, validation, lr,
seconds), checkpoints/ and, at the end, weights.safetensors.

Options:
  --depth D            network depth, 6n+2 (default 20; the paper uses 56)
  --lr δ               base learning rate (default 0.1)
  --batch-size m       mini-batch size (default 128)
  --epochs E           epochs (default 125)
  --loss L             ${LOSS_NAMES.join(', ')} (default kld)
  --momentum μ         Keras-style momentum in [0, 1) (default 0: plain SGD, as in the paper)
  --lr-drops E1,E2     epochs at which the rate is multiplied by --lr-factor (default 60,100)
  --lr-factor F        the multiplier (default 0.1)
  --weight-decay λ     L2 factor on convolution kernels (default 1e-4)
  --seed S             seed of the initialization, batch order and augmentation (default 0)
  --replacement        draw each mini-batch with replacement instead of shuffling per epoch
  --augment            pad-4-and-crop plus horizontal flips, as in the Keras example (default off)
  --data DIR           CIFAR-10 binary files in DIR (cifar-10-batches-bin)
  --download           download CIFAR-10 (170 MB) into the cache unless already there
  --synthetic N        N seeded synthetic CIFAR-shaped training images (for trials; not CIFAR-10)
  --data-seed S        seed of the synthetic data (default 0)
  --limit N            use only the first N training images
  --test-limit N       validate on only the first N test images
  --out DIR            run directory (e.g. runs/NAME); must not hold a run unless --resume
  --resume             continue the run in DIR from its last checkpoint
  --backend B          tensorflow, wasm or cpu (default: the fastest available)
  --quiet              no progress output`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        depth: { type: 'string' },
        lr: { type: 'string' },
        'batch-size': { type: 'string' },
        epochs: { type: 'string' },
        loss: { type: 'string' },
        momentum: { type: 'string' },
        'lr-drops': { type: 'string' },
        'lr-factor': { type: 'string' },
        'weight-decay': { type: 'string' },
        seed: { type: 'string' },
        replacement: { type: 'boolean', default: false },
        augment: { type: 'boolean', default: false },
        data: { type: 'string' },
        download: { type: 'boolean', default: false },
        synthetic: { type: 'string' },
        'data-seed': { type: 'string' },
        limit: { type: 'string' },
        'test-limit': { type: 'string' },
        out: { type: 'string' },
        resume: { type: 'boolean', default: false },
        backend: { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    const out = values.out;
    if (!out) throw new UsageError('--out DIR is required');
    const depth = integer('--depth', values.depth, 8) ?? 20;
    try {
      resnetBlocksPerStack(depth);
    } catch (error) {
      throw new UsageError(`--depth: ${(error as Error).message.replace('resnetV1: ', '')}`);
    }
    const lr = number('--lr', values.lr, (x) => x > 0, 'a positive number') ?? 0.1;
    const batchSize = integer('--batch-size', values['batch-size'], 1) ?? 128;
    const epochs = integer('--epochs', values.epochs, 0) ?? 125;
    const loss = (values.loss ?? 'kld') as LossName;
    if (!LOSS_NAMES.includes(loss))
      throw new UsageError(`--loss must be one of ${LOSS_NAMES.join(', ')}, got '${loss}'`);
    const momentum = number('--momentum', values.momentum, (x) => x >= 0 && x < 1, 'in [0, 1)') ?? 0;
    const factor = number('--lr-factor', values['lr-factor'], (x) => x > 0, 'a positive number') ?? 0.1;
    const drops =
      values['lr-drops'] === undefined
        ? [60, 100]
        : values['lr-drops'] === ''
          ? []
          : values['lr-drops'].split(',').map((s) => integer('--lr-drops', s, 0) as number);
    let schedule: ReturnType<typeof stepDecay>;
    try {
      schedule = stepDecay({ boundaries: drops, factor });
    } catch (error) {
      throw new UsageError(`--lr-drops/--lr-factor: ${(error as Error).message}`);
    }
    const weightDecay =
      number('--weight-decay', values['weight-decay'], (x) => x >= 0, 'a number ≥ 0') ?? 1e-4;
    const seed = integer('--seed', values.seed, 0) ?? 0;
    const limit = integer('--limit', values.limit, 1);
    const testLimit = integer('--test-limit', values['test-limit'], 1);
    const forced = values.backend;
    if (forced !== undefined && !['tensorflow', 'wasm', 'cpu'].includes(forced))
      throw new UsageError(`--backend must be tensorflow, wasm or cpu, got '${forced}'`);
    const dataFlags = [values.data !== undefined || values.download, values.synthetic !== undefined].filter(
      Boolean,
    );
    if (dataFlags.length !== 1) throw new UsageError('give one of --data DIR, --download or --synthetic N');
    if (values.data !== undefined && values.download)
      throw new UsageError('give --data DIR or --download, not both');

    const checkpoints = join(out, 'checkpoints');
    const state = readCheckpointState(checkpoints);
    if (state && !values.resume)
      throw new Error(
        `${out} already holds a run (${state.epochsCompleted} epochs done); pass --resume to continue it, or choose another --out`,
      );

    const backend = await initBackend({
      quiet: values.quiet,
      ...(forced ? { backend: forced as BackendName } : {}),
    });
    let data: SplitDataset;
    let source: RunDataSource;
    let pixelMean: Float32Array | undefined;
    if (values.synthetic !== undefined) {
      const n = Math.min(
        integer('--synthetic', values.synthetic, 1) as number,
        limit ?? Number.POSITIVE_INFINITY,
      );
      const testN = testLimit ?? Math.max(1, Math.round(n / 5));
      const dataSeed = integer('--data-seed', values['data-seed'], 0) ?? 0;
      data = syntheticCifar10({ n, seed: dataSeed, testN });
      source = { kind: 'synthetic', n, testN, seed: dataSeed };
    } else {
      let dir = values.data;
      if (values.download) {
        const cacheDir = defaultCifar10CacheDir();
        dir = cachedCifar10Dir(cacheDir) ?? (await downloadCifar10({ cacheDir, silent: values.quiet }));
      }
      const loaded = await loadCifar10({
        dir: dir as string,
        ...(limit !== undefined ? { limit } : {}),
        ...(testLimit !== undefined ? { testLimit } : {}),
      });
      data = loaded;
      pixelMean = loaded.pixelMean;
      source = {
        kind: 'cifar10',
        dir: resolve(loaded.dir),
        limit: limit ?? null,
        testLimit: testLimit ?? null,
        preprocess: loaded.preprocess,
        pixelMeanFile: pixelMean ? 'pixel-mean.safetensors' : null,
      };
    }

    const [, height, width, channels] = data.train.images.shape;
    const config: TrainRunConfig = {
      format: 'sgd-factors-train-run',
      version: 1,
      model: {
        kind: 'resnetV1',
        depth,
        inputShape: [height, width, channels],
        numClasses: data.train.numClasses,
        numFilters: 16,
        weightDecay,
        seed,
        outputActivation: 'softmax',
      },
      data: source,
      training: {
        lr,
        batchSize,
        epochs,
        momentum,
        loss,
        seed,
        schedule,
        replacement: values.replacement,
        augment: values.augment ? { padCrop: 4, flip: true } : null,
      },
      backend: forced ?? 'auto',
      files: { weights: 'weights.safetensors', history: 'history.json', checkpoints: 'checkpoints' },
    };
    const configPath = join(out, RUN_CONFIG_FILE);
    if (state && existsSync(configPath)) {
      const previous = JSON.parse(readFileSync(configPath, 'utf8')) as TrainRunConfig;
      const differences = configDifferences(previous, config);
      if (differences.length > 0)
        throw new Error(`cannot resume ${out}: the settings differ (${differences.join('; ')})`);
    }
    writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);
    if (pixelMean)
      writeFileAtomic(
        join(out, 'pixel-mean.safetensors'),
        encodeSafetensors({
          pixel_mean: { dtype: 'F32', shape: [height, width, channels], data: pixelMean },
        }),
      );

    const model = resnetV1(config.model);
    const log = (line: string) => {
      if (!values.quiet) process.stderr.write(`${line}\n`);
    };
    log(
      `sgd-factors train: ResNet-${depth} (${model.countParams().toLocaleString('en-US')} parameters) on ${data.train.images.shape[0]} images, backend ${backend.backend}, δ=${lr}, m=${batchSize}, ${loss}`,
    );
    const historyPath = join(out, 'history.json');
    try {
      const result = await trainSGD(model, data, {
        lr,
        batchSize,
        epochs,
        momentum,
        loss,
        seed,
        schedule,
        replacement: values.replacement,
        ...(config.training.augment ? { augment: config.training.augment } : {}),
        checkpointDir: checkpoints,
        resume: values.resume,
        quiet: values.quiet,
        onEpochEnd: (_record, history) => {
          writeFileAtomic(historyPath, `${JSON.stringify(history, null, 2)}\n`);
        },
      });
      writeFileAtomic(historyPath, `${JSON.stringify(result.history, null, 2)}\n`);
      await saveWeights(model, join(out, 'weights.safetensors'), {
        epochs: String(result.history.length),
        config: RUN_CONFIG_FILE,
      });
      const last = result.history[result.history.length - 1];
      log(
        last
          ? `done: ${result.history.length} epochs, train acc ${last.accuracy.toFixed(4)}${last.valAccuracy !== undefined ? `, val acc ${last.valAccuracy.toFixed(4)}` : ''}; weights in ${join(out, 'weights.safetensors')}`
          : `done: no epochs to train; weights in ${join(out, 'weights.safetensors')}`,
      );
      return 0;
    } finally {
      model.dispose();
      const tensors = [data.train, data.validation, data.test].flatMap((d) =>
        d ? [d.images, d.labels] : [],
      );
      tf.dispose(tensors);
    }
  },
};
