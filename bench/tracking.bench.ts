// Cost of one curvature-tracking step (`trainSGD`'s `track`, `train --track-every`) on ResNet-20 over
// 256 synthetic CIFAR-shaped examples with the default settings: Tr H by 10 Hutchinson products, tr σ²
// exact (a gradient pass and a per-example-gradient pass), λ_max by up to 20 Lanczos products, and the
// batch-norm statistics recomputed over the examples. Run with `npx tsx bench/run.ts --filter tracking/`.
//
// Environment:
//   TRACKING_BENCH_EXAMPLES  examples tracked over (default 256)
//   TRACKING_BENCH_CHUNK     examples per chunk (default 64, the tracker's default)
//
// One small warm-up step compiles every kernel; the timed step is run once.
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/initBackend.js';
import { syntheticCifar10 } from '../src/data/syntheticCifar10.js';
import { resnetV1 } from '../src/models/resnetV1.js';
import { curvatureTracker } from '../src/train/trackCurvature.js';
import { type Benchmark, type BenchResult, positiveIntFromEnv } from './harness.js';
import { timeWallAndCpu } from './model.bench.js';

async function* run(): AsyncGenerator<BenchResult> {
  await initBackend({ quiet: true });
  const examples = positiveIntFromEnv('TRACKING_BENCH_EXAMPLES', 256);
  const chunk = positiveIntFromEnv('TRACKING_BENCH_CHUNK', 64);
  const split = syntheticCifar10({ n: examples, seed: 0, testN: 1 });
  tf.dispose([split.test.images, split.test.labels]);
  const model = resnetV1({ depth: 20, seed: 0 });
  const objective = { loss: 'kld' as const };
  const progress = { label: 'curvature', lr: 0.1, stream: process.stderr, quiet: true };
  // The warm-up runs every stage once on a few examples (the wasm kernels are shape-independent).
  const warmup = curvatureTracker(
    split.train,
    { every: 1, examples: 4, batchSize: 4, probes: 2, eigenMatvecs: 2 },
    objective,
    0,
  );
  const tracker = curvatureTracker(split.train, { every: 1, examples, batchSize: chunk }, objective, 0);
  try {
    await warmup.measure(model, progress);
    let matvecs = 0;
    const t = await timeWallAndCpu(
      async () => {
        const c = await tracker.measure(model, progress);
        matvecs = (c.traceH?.matvecs ?? 0) + (c.topEigenvalue?.matvecs ?? 0);
      },
      { warmup: 0, repeats: 1 },
    );
    yield {
      name: 'tracking/resnet20/step',
      value: Math.round(t.wallMs),
      unit: 'ms',
      cpuMs: Math.round(t.cpuMs),
      examples,
      chunk,
      hessianVectorProducts: matvecs,
      loadavg1: Math.round(loadavg()[0]! * 100) / 100,
    };
  } finally {
    warmup.dispose();
    tracker.dispose();
    tf.dispose([split.train.images, split.train.labels]);
    model.dispose();
  }
}

const benchmarks: Benchmark[] = [{ name: 'tracking/', run }];
export default benchmarks;
