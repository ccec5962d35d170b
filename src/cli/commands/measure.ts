import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type BackendName, initBackend } from '../../backend/initBackend.js';
import type { BatchNormMode } from '../../curvature/trainingObjective.js';
import type { Dataset } from '../../data/dataset.js';
import { loadCifar10 } from '../../data/loadCifar10.js';
import { syntheticCifar10 } from '../../data/syntheticCifar10.js';
import {
  type MeasureMinimumOptions,
  type MinimumMeasurement,
  measureMinimum,
  TRACE_ESTIMATORS,
  type TraceEstimatorName,
} from '../../experiments/measureMinimum.js';
import { decodeSafetensors } from '../../io/safetensors.js';
import { loadWeights } from '../../io/weights.js';
import { resnetBlocksPerStack, resnetV1 } from '../../models/resnetV1.js';
import type { Estimate } from '../../noise/estimate.js';
import type { MeasureProgress, NoiseMethod } from '../../noise/gradientNoise.js';
import { LOSS_NAMES, type LossName } from '../../train/losses.js';
import { RUN_CONFIG_FILE, readRunConfig, type TrainRunConfig } from '../../train/runConfig.js';
import { createProgress, type Progress } from '../../util/progress.js';
import { type Command, UsageError } from '../command.js';

const NOISE_METHODS: readonly NoiseMethod[] = ['perExample', 'minibatch', 'twoBatch'];

function integer(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`${flag} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T))
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

function weightDecayFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0)
    throw new UsageError(`--weight-decay must be a number ≥ 0, got '${value}'`);
  return x;
}

/** The depth recorded in a weights file by saveWeights (model name `resnet<D>_v1`), if any. */
function depthFromWeights(path: string): number | undefined {
  const match = /^resnet(\d+)_v1$/.exec(decodeSafetensors(readFileSync(path), path).metadata['model'] ?? '');
  return match ? Number(match[1]) : undefined;
}

/** The first `limit` examples of a data set (new tensors). */
function firstExamples(data: Dataset, limit: number): Dataset {
  const n = data.images.shape[0];
  if (limit > n) throw new UsageError(`--limit ${limit} exceeds the ${n} images available`);
  return {
    images: tf.slice(data.images, [0, 0, 0, 0], [limit, -1, -1, -1]),
    labels: tf.slice(data.labels, [0], [limit]),
    numClasses: data.numClasses,
  };
}

function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  return abs >= 1e5 || abs < 1e-3 ? x.toExponential(4) : x.toPrecision(6);
}

/** A readable table of the measurement. */
export function formatMeasurementTable(m: MinimumMeasurement): string {
  const rows: [string, Estimate][] = [
    ['Tr H', m.traceH],
    ['tr σ²', m.traceSigma],
    ['tr(σ²H)', m.traceSigmaH],
    ['|∇f|²', m.gradNormSq],
    ['f (loss)', m.loss],
    ['Tr H / tr σ²', m.magnitudeDifference],
    ['B_simple', m.bSimple],
  ];
  const header = ['quantity', 'estimate', 'std. error', 'samples', 'matvecs', 'examples'];
  const body = rows.map(([name, e]) => [
    name,
    formatNumber(e.estimate),
    e.standardError === 0 ? 'exact' : formatNumber(e.standardError),
    String(e.samples),
    String(e.matvecs),
    String(e.examples),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const s = m.settings;
  const lines = [line(header), ...body.map(line)];
  if (m.topEigenvalues) {
    lines.push(
      '',
      `top eigenvalues: ${m.topEigenvalues.values.map(formatNumber).join(', ')} (${m.topEigenvalues.matvecs} matvecs${m.topEigenvalues.converged ? '' : ', not converged'})`,
    );
  }
  lines.push(
    '',
    `${s.examples} examples, ${s.parameters.toLocaleString('en-US')} parameters, loss ${s.loss}, bn ${s.bnMode}, ` +
      `regularization ${s.includeRegularization ? 'included' : 'excluded'}, Tr H by ${s.estimator} (${s.probes} matvecs), ` +
      `tr σ² by ${s.noise}, seed ${s.seed}, backend ${s.backend}, ${s.seconds.toFixed(1)} s`,
  );
  return `${lines.join('\n')}\n`;
}

/** `sgd-factors measure`: the curvature and gradient noise of trained weights. */
export const measureCommand: Command = {
  name: 'measure',
  summary: 'measure Tr H, tr σ², tr(σ²H), |∇f|² and the loss of trained weights, with standard errors',
  usage: `sgd-factors measure --weights FILE.safetensors [(--data DIR | --synthetic N)] [options]

Loads ResNet v1 weights and measures, over the first --limit training images (preprocessed exactly as for
training), the trace of the loss Hessian Tr H, the trace of the per-example gradient covariance tr σ²,
tr(σ²H), |∇f|², the loss f, Tr H / tr σ² and B_simple = tr σ²/|∇f|², each with its standard error.
When config.json (written by 'sgd-factors train') sits next to the weights, the architecture, loss, seed
and data default to the run's; otherwise give --depth and --data or --synthetic.

Options:
  --weights FILE         weights saved by 'sgd-factors train' (runs/NAME/weights.safetensors)
  --depth D              ResNet depth 6n+2 (default: from config.json, else from the weights file)
  --data DIR             CIFAR-10 binary files (the per-pixel mean of the full training set is subtracted,
                         or the run's own pixel-mean.safetensors when it sits next to the weights)
  --synthetic N          the N seeded synthetic images 'train --synthetic N' used (same --data-seed)
  --data-seed S          seed of the synthetic images (default: the run's, else 0)
  --limit N              measure over the first N training images (default 1000 for CIFAR-10, all synthetic)
  --loss L               ${LOSS_NAMES.join(', ')} (default: the run's, else kld)
  --estimator E          Tr H estimator: ${TRACE_ESTIMATORS.join(', ')} (default hutchinson)
  --probes P             Hessian-vector products for Tr H (default 50)
  --noise M              tr σ² method: ${NOISE_METHODS.join(', ')} (default perExample: exact, n backward passes)
  --minibatch-size m     mini-batch size of the minibatch/twoBatch methods (default 32)
  --minibatches K        mini-batches (or pairs) of the minibatch/twoBatch methods (default 32)
  --sigma-h-probes K     random vectors for tr(σ²H) (default 10)
  --top-eigenvalues K    also the K largest Hessian eigenvalues by Lanczos (default 0)
  --bn-mode M            inference (default, as PyHessian) or train (batch statistics per --batch-size chunk)
  --no-regularization    leave the L2 penalty out of the objective (default: included, as SGD minimized it)
  --batch-size B         examples per forward/backward chunk (default 32; in inference mode results do not
                         depend on it; larger is faster but a ResNet-20 HVP needs ~1.3 GB at 32, ~2.3 GB at 64
                         and ~3.4 GB at 128, near the wasm backend's 4 GiB heap)
  --weight-decay λ       the L2 factor the model was trained with (default: the run's, else 1e-4)
  --seed S               seed of the probes and samples (default: the run's seed, else 0)
  --workers K            share Tr H's probes (hutchinson) among K worker threads, each with its own backend
                         and copy of the model and data (default 1; same result for any K; wasm or cpu
                         backend; each worker needs the memory of one product)
  --backend B            tensorflow, wasm or cpu (default: the fastest available)
  --json                 print the result as one JSON line (each estimate {estimate, standardError, …})
  --quiet                no progress output`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        weights: { type: 'string' },
        depth: { type: 'string' },
        data: { type: 'string' },
        synthetic: { type: 'string' },
        'data-seed': { type: 'string' },
        limit: { type: 'string' },
        loss: { type: 'string' },
        estimator: { type: 'string' },
        probes: { type: 'string' },
        noise: { type: 'string' },
        'minibatch-size': { type: 'string' },
        minibatches: { type: 'string' },
        'sigma-h-probes': { type: 'string' },
        'top-eigenvalues': { type: 'string' },
        'bn-mode': { type: 'string' },
        'no-regularization': { type: 'boolean', default: false },
        'batch-size': { type: 'string' },
        'weight-decay': { type: 'string' },
        seed: { type: 'string' },
        backend: { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    const weights = values.weights;
    if (!weights) throw new UsageError('--weights FILE is required');
    if (!existsSync(weights)) throw new UsageError(`--weights: no file ${weights}`);
    if (values.data !== undefined && values.synthetic !== undefined)
      throw new UsageError('give --data DIR or --synthetic N, not both');
    const runDir = dirname(resolve(weights));
    const config: TrainRunConfig | undefined = existsSync(join(runDir, RUN_CONFIG_FILE))
      ? readRunConfig(runDir)
      : undefined;

    const depth = integer('--depth', values.depth, 8) ?? config?.model.depth ?? depthFromWeights(weights);
    if (depth === undefined)
      throw new UsageError(
        `--depth is required (no ${RUN_CONFIG_FILE} next to the weights, no depth in them)`,
      );
    try {
      resnetBlocksPerStack(depth);
    } catch (error) {
      throw new UsageError(`--depth: ${(error as Error).message.replace('resnetV1: ', '')}`);
    }
    const loss = oneOf('--loss', values.loss, LOSS_NAMES) ?? config?.training.loss ?? ('kld' as LossName);
    const estimator =
      oneOf('--estimator', values.estimator, TRACE_ESTIMATORS) ?? ('hutchinson' as TraceEstimatorName);
    const noise = oneOf('--noise', values.noise, NOISE_METHODS) ?? 'perExample';
    const bnMode =
      oneOf<BatchNormMode>('--bn-mode', values['bn-mode'], ['inference', 'train']) ?? 'inference';
    const probes = integer('--probes', values.probes, estimator === 'hutchinson' ? 1 : 4) ?? 50;
    const seed = integer('--seed', values.seed, 0) ?? config?.training.seed ?? 0;
    const batchSize = integer('--batch-size', values['batch-size'], 1) ?? 32;
    const limitFlag = integer('--limit', values.limit, 2);
    const weightDecay = weightDecayFlag(values['weight-decay']);
    const forced = oneOf<BackendName>('--backend', values.backend, ['tensorflow', 'wasm', 'cpu']);
    const workers = integer('--workers', values.workers, 1) ?? 1;
    if (workers > 1 && estimator !== 'hutchinson')
      throw new UsageError(`--workers ${workers} applies to --estimator hutchinson only, got ${estimator}`);
    if (workers > 1 && forced === 'tensorflow')
      throw new UsageError(
        '--workers > 1 needs the wasm or cpu backend (tfjs-node loads in one thread only)',
      );
    const options: MeasureMinimumOptions = {
      loss,
      estimator,
      probes,
      seed,
      noise,
      bnMode,
      batchSize,
      includeRegularization: !values['no-regularization'],
      ...(workers > 1 ? { workers } : {}),
    };
    const optional = (flag: string, value: string | undefined, min: number) => integer(flag, value, min);
    const minibatchSize = optional('--minibatch-size', values['minibatch-size'], 1);
    const minibatches = optional('--minibatches', values.minibatches, 1);
    const sigmaHProbes = optional('--sigma-h-probes', values['sigma-h-probes'], 1);
    const top = optional('--top-eigenvalues', values['top-eigenvalues'], 0);
    if (minibatchSize !== undefined) options.minibatchSize = minibatchSize;
    if (minibatches !== undefined) options.minibatches = minibatches;
    if (sigmaHProbes !== undefined) options.sigmaHProbes = sigmaHProbes;
    if (top !== undefined) options.topEigenvalues = top;

    await initBackend({ quiet: values.quiet, ...(forced ? { backend: forced } : {}) });

    // The data: the flags, else the run's own source.
    let data: Dataset;
    let source: Record<string, unknown>;
    const syntheticN = integer('--synthetic', values.synthetic, 1);
    const runData = config?.data;
    if (syntheticN !== undefined || (values.data === undefined && runData?.kind === 'synthetic')) {
      const n = syntheticN ?? (runData?.kind === 'synthetic' ? runData.n : 0);
      const dataSeed =
        integer('--data-seed', values['data-seed'], 0) ?? (runData?.kind === 'synthetic' ? runData.seed : 0);
      const split = syntheticCifar10({ n, seed: dataSeed, testN: 1 });
      tf.dispose([split.test.images, split.test.labels]);
      const limit = limitFlag ?? n;
      data = limit === n ? split.train : firstExamples(split.train, limit);
      if (data !== split.train) tf.dispose([split.train.images, split.train.labels]);
      source = { kind: 'synthetic', n, seed: dataSeed, limit };
    } else if (values.data !== undefined || runData?.kind === 'cifar10') {
      const dir = values.data ?? (runData?.kind === 'cifar10' ? runData.dir : '');
      const limit = limitFlag ?? 1000;
      // The run's own mean when it sits next to the weights: exactly the training preprocessing.
      let pixelMean: Float32Array | undefined;
      const meanFile = runData?.kind === 'cifar10' ? runData.pixelMeanFile : null;
      if (meanFile && existsSync(join(runDir, meanFile))) {
        const path = join(runDir, meanFile);
        const tensor = decodeSafetensors(readFileSync(path), path).tensors.get('pixel_mean');
        if (tensor) pixelMean = Float32Array.from(tensor.data);
      }
      const loaded = await loadCifar10({ dir, limit, testLimit: 1, ...(pixelMean ? { pixelMean } : {}) });
      tf.dispose([loaded.test.images, loaded.test.labels]);
      data = loaded.train;
      source = {
        kind: 'cifar10',
        dir: resolve(loaded.dir),
        limit,
        pixelMean: pixelMean ? meanFile : 'computed',
      };
    } else {
      throw new UsageError(
        'give --data DIR or --synthetic N (no config.json next to the weights says which)',
      );
    }

    let model: LayersModel | undefined;
    try {
      const [, height, width, channels] = data.images.shape;
      const { kind: _kind, ...architecture } = config?.model ?? { kind: 'resnetV1' };
      model = resnetV1({
        ...architecture,
        depth,
        inputShape: [height, width, channels],
        numClasses: data.numClasses,
        ...(weightDecay !== undefined ? { weightDecay } : {}),
      });
      await loadWeights(model, weights);

      // One bar (or plain lines off a TTY) per stage: gradient, traceSigma, traceSigmaH, traceH, ….
      let progress: Progress | undefined;
      let stage = '';
      const onProgress = (p: MeasureProgress) => {
        if (values.quiet) return;
        if (p.stage !== stage) {
          progress?.done();
          stage = p.stage;
          progress = createProgress({ label: p.stage, total: p.total });
        }
        if (p.done >= p.total) {
          progress?.done();
          progress = undefined;
        } else progress?.update(p.done);
      };
      const measurement = await measureMinimum(model, data, { ...options, onProgress });
      const result: MinimumMeasurement = {
        ...measurement,
        settings: {
          ...measurement.settings,
          ...({ weights: resolve(weights), depth, data: source } as Record<string, unknown>),
        } as MinimumMeasurement['settings'],
      };
      process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : formatMeasurementTable(result));
      return 0;
    } finally {
      model?.dispose();
      tf.dispose([data.images, data.labels]);
    }
  },
};
