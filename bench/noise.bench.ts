// Exact tr σ² over n examples of ResNet-20 (CIFAR shapes, synthetic data) by the batched per-example pass
// and by the per-example loop, against one full-batch gradient over the same examples; each result has
// `ratioToGradient`. Run with `npm run bench -- --filter noise/trace-sigma`.
//
// Environment:
//   NOISE_BENCH_EXAMPLES  examples n (default 1024)
//   NOISE_BENCH_CHUNK     examples per forward/backward chunk of the gradient and the batched pass (default 128)
//   NOISE_BENCH_REPEATS   timed repetitions of the gradient and the batched pass after one warm-up (default 1);
//                         the per-example loop runs once
//   NOISE_BENCH_LOOP      0 skips the per-example loop (it takes minutes)
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/initBackend.js';
import { exampleGradientNorms } from '../src/curvature/batchedExampleGradients.js';
import { forEachExampleGradient } from '../src/curvature/exampleGradients.js';
import { hessianOperator } from '../src/curvature/hessianOperator.js';
import { resnetV1 } from '../src/models/resnetV1.js';
import type { Benchmark, BenchResult } from './harness.js';
import { positiveIntFromEnv } from './harness.js';
import { syntheticData, timeWallAndCpu } from './model.bench.js';

async function* traceSigmaBench(): AsyncIterable<BenchResult> {
  const n = positiveIntFromEnv('NOISE_BENCH_EXAMPLES', 1024);
  const chunk = positiveIntFromEnv('NOISE_BENCH_CHUNK', 128);
  const repeats = positiveIntFromEnv('NOISE_BENCH_REPEATS', 1);
  const info = await initBackend({ quiet: true });
  const model = resnetV1({ depth: 20, seed: 1 });
  const data = syntheticData(n, 2);
  const context = { backend: info.backend, threads: info.threads ?? 1, examples: n, chunk };
  const hessian = hessianOperator(model, data, { batchSize: chunk, loss: 'kld' });
  const objective = hessian.objective;
  const result = (
    name: string,
    t: { wallMs: number; cpuMs: number },
    gradient: { wallMs: number; cpuMs: number },
  ): BenchResult => ({
    name: `${name}/resnet20/${n}`,
    value: Math.round(t.wallMs),
    unit: 'ms',
    cpuMs: Math.round(t.cpuMs),
    ratioToGradient: Number((t.wallMs / gradient.wallMs).toFixed(2)),
    // CPU time of this process: the ratio to compare when other processes share the cores.
    cpuRatioToGradient: Number((t.cpuMs / gradient.cpuMs).toFixed(2)),
    ...context,
    loadAverage: Number(loadavg()[0]!.toFixed(1)),
  });
  try {
    const grad = await timeWallAndCpu(() => hessian.lossAndGradient(), { repeats });
    yield result('grad', grad, grad);
    const batched = await timeWallAndCpu(() => exampleGradientNorms(objective), { repeats });
    yield {
      ...result('noise/trace-sigma', batched, grad),
      name: `noise/trace-sigma/resnet20/${n}/batched`,
    };
    if (process.env['NOISE_BENCH_LOOP'] !== '0') {
      const loop = await timeWallAndCpu(() => forEachExampleGradient(objective, () => {}), {
        warmup: 0,
        repeats: 1,
      });
      yield {
        ...result('noise/trace-sigma', loop, grad),
        name: `noise/trace-sigma/resnet20/${n}/per-example`,
      };
    }
  } finally {
    tf.dispose([data.images, data.labels]);
    model.dispose();
  }
}

const benchmarks: Benchmark[] = [{ name: 'noise/trace-sigma', run: traceSigmaBench }];
export default benchmarks;
