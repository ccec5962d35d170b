// Thread scaling of one training run: ResNet-20 trained by trainSGD for THREADS_BENCH_STEPS steps
// (default 10) of batch 128 (MODEL_BENCH_BATCH), with the oneDNN convolutions on 1 thread and on
// THREADS_BENCH_THREADS (default 2), alternating in one process so that both see the same host load;
// THREADS_BENCH_REPEATS (default 3) runs of each after one warm-up run of each.
// Run with `npx tsx bench/run.ts --filter threads`. Everything but the convolutions is single-threaded
// (tfjs's wasm backend runs on one thread in Node), so the speedup is bounded by the convolutions' share.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/initBackend.js';
import { resnetV1 } from '../src/models/resnetV1.js';
import { trainSGD } from '../src/train/trainSGD.js';
import { type Benchmark, type BenchResult, median, positiveIntFromEnv } from './harness.js';
import { syntheticData } from './model.bench.js';

async function trainingRun(threads: number, steps: number, batch: number): Promise<number> {
  await initBackend({ backend: 'wasm', quiet: true, threads });
  const model = resnetV1({ depth: 20, seed: 1 });
  const data = syntheticData(batch, 2);
  const t0 = performance.now();
  await trainSGD(model, data, {
    lr: 0.01,
    momentum: 0.9,
    batchSize: batch,
    epochs: steps,
    schedule: (_epoch, lr) => lr,
    quiet: true,
  });
  const ms = performance.now() - t0;
  data.images.dispose();
  data.labels.dispose();
  model.dispose();
  return ms;
}

async function* threadScaling(): AsyncIterable<BenchResult> {
  const steps = positiveIntFromEnv('THREADS_BENCH_STEPS', 10);
  const batch = positiveIntFromEnv('MODEL_BENCH_BATCH', 128);
  const repeats = positiveIntFromEnv('THREADS_BENCH_REPEATS', 3);
  const many = positiveIntFromEnv('THREADS_BENCH_THREADS', 2);
  const info = await initBackend({ backend: 'wasm', quiet: true });
  if (!info.onednn?.active) {
    process.stderr.write(`bench threads: skipped, needs the oneDNN convolutions (${info.onednn?.why})\n`);
    return;
  }
  const samples = new Map<number, number[]>([
    [1, []],
    [many, []],
  ]);
  for (const threads of samples.keys()) await trainingRun(threads, steps, batch);
  for (let i = 0; i < repeats; i++) {
    for (const [threads, wall] of samples) wall.push(await trainingRun(threads, steps, batch));
  }
  const one = samples.get(1)!;
  const more = samples.get(many)!;
  yield {
    name: `threads/train-run/resnet20/b${batch}`,
    value: Number((median(one) / median(more)).toFixed(2)),
    unit: `× speedup of ${many} threads over 1 (wall medians)`,
    speedupOfMinima: Number((Math.min(...one) / Math.min(...more)).toFixed(2)),
    steps,
    library: info.onednn.library,
    wallMs1: one.map(Math.round),
    [`wallMs${many}`]: more.map(Math.round),
    numTensors: tf.memory().numTensors,
  };
}

const benchmarks: Benchmark[] = [{ name: 'threads/train-run/resnet20', run: threadScaling }];
export default benchmarks;
