// Whole-model timings of ResNet v1 (CIFAR shapes) on the active backend (wasm by default): one SGD
// training step, one gradient and one exact Hessian–vector product, plus a memory-growth check.
// Run with `npx tsx bench/run.ts --filter train-step` (or grad, hvp, memory, model).
//
// Environment:
//   MODEL_BENCH_REPEATS   timed repetitions per benchmark after one warm-up (default 3)
//   MODEL_BENCH_BATCH     batch size (default 128)
//   MODEL_BENCH_STEPS     training steps of the memory-growth check (default 10)
//   MODEL_BENCH_HVP_STEPS Hessian–vector products of the memory-growth check (default 3)
//   MODEL_BENCH_MEMORY_HVP_CHUNK  chunk of those products (default 16: ResNet-56's double backward
//                         pass needs about 2.8× ResNet-20's memory)
//   MODEL_BENCH_BACKEND   wasm (default) or cpu
//   MODEL_BENCH_HVP_CHUNK examples per double-backward chunk of the HVP (default 128, one chunk as PyTorch
//                         does; ≈ 3.4 GB of the 4 GiB wasm heap for ResNet-20)
//
// Each timing is reported twice: `value` is the median wall-clock time, `cpuMs` the median CPU time of
// this process (user + system), which is what to compare when other processes share the cores.
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type BackendName, initBackend } from '../src/backend/initBackend.js';
import { hessianOperator } from '../src/curvature/hessianOperator.js';
import type { Dataset } from '../src/data/dataset.js';
import { regularizationPenalty } from '../src/models/regularizationPenalty.js';
import { resnetV1 } from '../src/models/resnetV1.js';
import { resolveLoss } from '../src/train/losses.js';
import { trainSGD } from '../src/train/trainSGD.js';
import { createRng } from '../src/util/random.js';
import { type Benchmark, type BenchResult, median, positiveIntFromEnv } from './harness.js';

/** Medians of wall-clock and process CPU time over `repeats` calls after `warmup` calls. */
export async function timeWallAndCpu(
  fn: () => unknown | Promise<unknown>,
  { warmup = 1, repeats = 3 }: { warmup?: number; repeats?: number } = {},
): Promise<{ wallMs: number; cpuMs: number; wallSamples: number[]; cpuSamples: number[] }> {
  for (let i = 0; i < warmup; i++) await fn();
  const wallSamples: number[] = [];
  const cpuSamples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    wallSamples.push(wall);
    cpuSamples.push((c.user + c.system) / 1000);
  }
  return { wallMs: median(wallSamples), cpuMs: median(cpuSamples), wallSamples, cpuSamples };
}

/** Synthetic CIFAR-shaped data: standard normal images and uniform labels, from a seed. */
export function syntheticData(n: number, seed: number, numClasses = 10): Dataset {
  const rng = createRng(seed);
  const values = new Float32Array(n * 32 * 32 * 3);
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = rng.int(numClasses);
  return {
    images: tf.tensor4d(values, [n, 32, 32, 3]),
    labels: tf.tensor1d(labels, 'int32'),
    numClasses,
  };
}

function disposeData(data: Dataset): void {
  data.images.dispose();
  data.labels.dispose();
}

/** The learning rate never changes: a benchmark step must not depend on how many came before. */
const CONSTANT_LR = (_epoch: number, baseLr: number): number => baseLr;

const MB = 1024 * 1024;
const rssMb = (): number => Math.round(process.memoryUsage().rss / MB);
const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

interface Settings {
  backend: BackendName;
  batch: number;
  repeats: number;
  steps: number;
  hvpChunk: number;
  hvpSteps: number;
  memoryHvpChunk: number;
}

function settings(): Settings {
  const backend = (process.env['MODEL_BENCH_BACKEND'] ?? 'wasm') as BackendName;
  if (backend !== 'wasm' && backend !== 'cpu')
    throw new RangeError(`MODEL_BENCH_BACKEND must be wasm or cpu, got '${backend}'`);
  return {
    backend,
    batch: positiveIntFromEnv('MODEL_BENCH_BATCH', 128),
    repeats: positiveIntFromEnv('MODEL_BENCH_REPEATS', 3),
    steps: positiveIntFromEnv('MODEL_BENCH_STEPS', 10),
    hvpChunk: positiveIntFromEnv('MODEL_BENCH_HVP_CHUNK', 128),
    hvpSteps: positiveIntFromEnv('MODEL_BENCH_HVP_STEPS', 3),
    memoryHvpChunk: positiveIntFromEnv('MODEL_BENCH_MEMORY_HVP_CHUNK', 16),
  };
}

async function setUp(s: Settings): Promise<Record<string, unknown>> {
  const info = await initBackend({ backend: s.backend, quiet: true });
  // With the oneDNN addon, the convolutions run on its threads (SGD_FACTORS_THREADS), the rest on one.
  const onednn = info.onednn?.active ? info.onednn : undefined;
  return {
    backend: onednn ? `${info.backend}+onednn` : info.backend,
    threads: onednn?.threads ?? info.threads ?? 1,
    batch: s.batch,
  };
}

/**
 * One training step exactly as {@link trainSGD} takes it (momentum 0.9, training-mode batch norm, KLD on
 * softmax outputs + L2): a call of trainSGD for one epoch of one batch.
 */
function trainStep(model: LayersModel, data: Dataset, batch: number): Promise<unknown> {
  return trainSGD(model, data, {
    lr: 0.01,
    momentum: 0.9,
    batchSize: batch,
    epochs: 1,
    schedule: CONSTANT_LR,
    quiet: true,
  });
}

/**
 * Times `step` (after a warm-up) on a fresh seeded ResNet and one synthetic batch, and yields one result
 * named `kind/resnet{depth}/b{batch}` with wall and CPU medians, samples, tensor counts and RSS.
 */
async function* timedModelBench(
  kind: string,
  depth: number,
  prepare: (model: LayersModel, data: Dataset, s: Settings) => () => unknown,
  extra: (s: Settings) => Record<string, unknown> = () => ({}),
): AsyncIterable<BenchResult> {
  const s = settings();
  const context = await setUp(s);
  const model = resnetV1({ depth, seed: 1 });
  const data = syntheticData(s.batch, 2);
  const step = prepare(model, data, s);
  const tensorsBefore = tf.memory().numTensors;
  const t = await timeWallAndCpu(step, { repeats: s.repeats });
  yield {
    name: `${kind}/resnet${depth}/b${s.batch}`,
    value: Math.round(t.wallMs),
    unit: 'ms',
    cpuMs: Math.round(t.cpuMs),
    ...context,
    ...extra(s),
    repeats: s.repeats,
    wallSamples: t.wallSamples.map(Math.round),
    cpuSamples: t.cpuSamples.map(Math.round),
    numTensorsBefore: tensorsBefore,
    numTensorsAfter: tf.memory().numTensors,
    rssMb: rssMb(),
    peakRssMb: peakRssMb(),
  };
  disposeData(data);
  model.dispose();
}

function trainStepBench(depth: number): AsyncIterable<BenchResult> {
  return timedModelBench('train-step', depth, (model, data, s) => () => trainStep(model, data, s.batch));
}

/** The gradient of mean KLD + L2 with inference-mode batch norm, as one tf.variableGrads. */
export function gradient(model: LayersModel, data: Dataset): void {
  const loss = resolveLoss('kld', 'probabilities');
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.tidy(() => {
    const oneHot = tf.cast(tf.oneHot(data.labels, data.numClasses), 'float32') as tf.Tensor2D;
    return tf.variableGrads(() => {
      const out = model.apply(data.images, { training: false }) as tf.Tensor2D;
      return tf.add(tf.mean(loss.perExample(oneHot, out)), regularizationPenalty(model)) as tf.Scalar;
    }, variables);
  });
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
}

function gradBench(depth: number): AsyncIterable<BenchResult> {
  return timedModelBench('grad', depth, (model, data) => () => gradient(model, data));
}

/** A Rademacher vector of length `dim` (the probe PyTorch's reference uses too). */
function rademacher(dim: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const v = new Float64Array(dim);
  for (let i = 0; i < dim; i++) v[i] = rng.sign();
  return v;
}

function hvpBench(depth: number): AsyncIterable<BenchResult> {
  return timedModelBench(
    'hvp',
    depth,
    (model, data, s) => {
      const hessian = hessianOperator(model, data, {
        batchSize: s.hvpChunk,
        bnMode: 'inference',
        loss: 'kld',
      });
      const v = rademacher(hessian.dim, 3);
      return () => hessian.matvec(v);
    },
    (s) => ({ chunk: s.hvpChunk }),
  );
}

/**
 * Runs `steps` training steps (one trainSGD call of `steps` epochs over one batch) and then `steps`
 * HVPs, recording RSS and tfjs' tensor count after each; reports the first and last values and the
 * growth over the second half (after allocator warm-up).
 */
async function* memoryBench(depth: number): AsyncIterable<BenchResult> {
  const s = settings();
  const context = await setUp(s);
  const model = resnetV1({ depth, seed: 1 });
  const data = syntheticData(s.batch, 2);
  const growth = (series: readonly number[]): number =>
    series[series.length - 1]! - series[Math.floor((series.length - 1) / 2)]!;
  const tensors0 = tf.memory().numTensors;
  const rss: number[] = [];
  const tensors: number[] = [];
  await trainSGD(model, data, {
    lr: 0.01,
    momentum: 0.9,
    batchSize: s.batch,
    epochs: s.steps,
    schedule: CONSTANT_LR,
    quiet: true,
    onBatchEnd: () => {
      rss.push(rssMb());
      tensors.push(tf.memory().numTensors);
    },
  });
  yield {
    name: `memory/train/resnet${depth}/b${s.batch}`,
    value: peakRssMb(),
    unit: 'MB peak RSS',
    ...context,
    steps: s.steps,
    rssFirstMb: rss[0],
    rssLastMb: rss[rss.length - 1],
    rssGrowthSecondHalfMb: growth(rss),
    numTensorsBefore: tensors0,
    numTensorsFirst: tensors[0],
    numTensorsLast: tensors[tensors.length - 1],
    numTensorsAfter: tf.memory().numTensors,
  };
  const hessian = hessianOperator(model, data, {
    batchSize: s.memoryHvpChunk,
    bnMode: 'inference',
    loss: 'kld',
  });
  const v = rademacher(hessian.dim, 3);
  const hvpRss: number[] = [];
  const hvpTensors: number[] = [];
  const hvpTensors0 = tf.memory().numTensors;
  for (let i = 0; i < s.hvpSteps; i++) {
    await hessian.matvec(v);
    hvpRss.push(rssMb());
    hvpTensors.push(tf.memory().numTensors);
  }
  yield {
    name: `memory/hvp/resnet${depth}/b${s.batch}`,
    value: peakRssMb(),
    unit: 'MB peak RSS',
    ...context,
    chunk: s.memoryHvpChunk,
    steps: s.hvpSteps,
    rssFirstMb: hvpRss[0],
    rssLastMb: hvpRss[hvpRss.length - 1],
    rssGrowthSecondHalfMb: growth(hvpRss),
    numTensorsBefore: hvpTensors0,
    numTensorsFirst: hvpTensors[0],
    numTensorsLast: hvpTensors[hvpTensors.length - 1],
  };
  disposeData(data);
  model.dispose();
}

const benchmarks: Benchmark[] = [
  { name: 'train-step/resnet20', run: () => trainStepBench(20) },
  { name: 'grad/resnet20', run: () => gradBench(20) },
  { name: 'hvp/resnet20', run: () => hvpBench(20) },
  { name: 'train-step/resnet56', run: () => trainStepBench(56) },
  { name: 'memory/resnet56', run: () => memoryBench(56) },
];
export default benchmarks;
