// Cost of the curvature and noise operators and the per-example diagonals on ResNet-20 (CIFAR shapes,
// synthetic data), and the per-probe overhead of the estimators beyond their products.
// Run with `npx tsx bench/run.ts --filter curvature/`.
//
// Environment:
//   CURVATURE_BENCH_EXAMPLES  examples every product averages over (default 256)
//   CURVATURE_BENCH_CHUNK     examples per chunk (default 32; the wasm heap limits HVP chunks to ≤ 64)
//   CURVATURE_BENCH_DIAGONAL  1 (default) to time exampleGradientDiagonals too (n per-example passes)
//
// Each product is timed once after one warm-up product of the same operator on the first chunk only, so
// every kernel is compiled before the timed call; `value` is wall time, `cpuMs` this process's CPU time.
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/initBackend.js';
import { empiricalFisherOperator } from '../src/curvature/empiricalFisherOperator.js';
import { blockTraces } from '../src/curvature/estimators/blockTraces.js';
import { hutchinsonDiagonal } from '../src/curvature/estimators/hutchinsonDiagonal.js';
import { operatorAlignment } from '../src/curvature/estimators/operatorAlignment.js';
import { topEigenvalues } from '../src/curvature/estimators/topEigenvalues.js';
import { exampleGradientDiagonals } from '../src/curvature/exampleGradientDiagonals.js';
import { ggnOperator } from '../src/curvature/ggnOperator.js';
import { gradientCovarianceOperator } from '../src/curvature/gradientCovarianceOperator.js';
import { hessianOperator } from '../src/curvature/hessianOperator.js';
import type { LinearOperator } from '../src/curvature/linearOperator.js';
import { parameterBlocks } from '../src/curvature/parameterBlocks.js';
import type { Dataset } from '../src/data/dataset.js';
import { syntheticCifar10 } from '../src/data/syntheticCifar10.js';
import { resnetV1 } from '../src/models/resnetV1.js';
import { createRng } from '../src/util/random.js';
import { type Benchmark, type BenchResult, positiveIntFromEnv } from './harness.js';
import { timeWallAndCpu } from './model.bench.js';

type OperatorFactory = (data: Dataset) => LinearOperator;

async function* run(): AsyncGenerator<BenchResult> {
  await initBackend({ quiet: true });
  const examples = positiveIntFromEnv('CURVATURE_BENCH_EXAMPLES', 256);
  const chunk = positiveIntFromEnv('CURVATURE_BENCH_CHUNK', 32);
  const withDiagonal = (process.env.CURVATURE_BENCH_DIAGONAL ?? '1') !== '0';
  const split = syntheticCifar10({ n: examples, seed: 0, testN: 1 });
  tf.dispose([split.test.images, split.test.labels]);
  const data = split.train;
  const firstChunk: Dataset = {
    images: tf.slice(data.images, 0, chunk),
    labels: tf.slice(data.labels, 0, chunk),
    numClasses: data.numClasses,
  };
  const model = resnetV1({ depth: 20, seed: 0 });
  const context = { examples, chunk, model: 'resnet20' };
  const options = { loss: 'kld' as const, batchSize: chunk };
  const operators: [string, OperatorFactory][] = [
    ['hvp', (d) => hessianOperator(model, d, options)],
    ['ggn', (d) => ggnOperator(model, d, options)],
    ['sigma2', (d) => gradientCovarianceOperator(model, d, options)],
    ['empirical-fisher', (d) => empiricalFisherOperator(model, d, options)],
  ];
  const rng = createRng(1);
  const dim = hessianOperator(model, firstChunk, options).dim;
  const v = Float64Array.from({ length: dim }, () => rng.sign());
  const gradientOp = hessianOperator(model, data, options);
  await hessianOperator(model, firstChunk, options).lossAndGradient();
  const gradient = await timeWallAndCpu(() => gradientOp.lossAndGradient(), { warmup: 0, repeats: 1 });
  yield result('curvature/resnet20/gradient', gradient, context);
  for (const [name, make] of operators) {
    await make(firstChunk).matvec(v);
    const op = make(data);
    const t = await timeWallAndCpu(() => op.matvec(v), { warmup: 0, repeats: 1 });
    yield result(`curvature/resnet20/${name}`, t, context);
  }
  if (withDiagonal) {
    await exampleGradientDiagonals(model, firstChunk, options);
    const t = await timeWallAndCpu(() => exampleGradientDiagonals(model, data, options), {
      warmup: 0,
      repeats: 1,
    });
    yield result('curvature/resnet20/example-gradient-diagonals', t, context);
  }
  yield* estimatorOverheads(dim, parameterBlocks(model));
  tf.dispose([data.images, data.labels, firstChunk.images, firstChunk.labels]);
  model.dispose();
}

/** Per-probe time of the estimators' own vector work, with a free operator (the identity) of ResNet-20's size. */
async function* estimatorOverheads(
  dim: number,
  blocks: ReturnType<typeof parameterBlocks>,
): AsyncGenerator<BenchResult> {
  const identity: LinearOperator = { dim, matvec: (x) => Float64Array.from(x) };
  const probes = 20;
  const runs: [string, () => Promise<unknown>][] = [
    ['hutchinson-diagonal', () => hutchinsonDiagonal(identity, { probes })],
    ['block-traces', () => blockTraces(identity, blocks, { probes })],
    ['alignment', () => operatorAlignment(identity, identity, { probes })],
    ['lanczos-both', () => topEigenvalues(identity, { k: 1, which: 'both', maxIter: probes, tol: 1e-300 })],
  ];
  for (const [name, fn] of runs) {
    const t = await timeWallAndCpu(fn, { warmup: 1, repeats: 3 });
    yield {
      name: `curvature/overhead/${name}`,
      value: t.wallMs / probes,
      unit: 'ms per probe',
      cpuMs: t.cpuMs / probes,
      dim,
      blocks: blocks.length,
    };
  }
}

function result(
  name: string,
  t: { wallMs: number; cpuMs: number },
  context: { examples: number; chunk: number; model: string },
): BenchResult {
  return {
    name,
    value: Math.round(t.wallMs),
    unit: 'ms',
    cpuMs: Math.round(t.cpuMs),
    examples: context.examples,
    chunk: context.chunk,
    model: context.model,
    loadavg1: Math.round(loadavg()[0]! * 100) / 100,
  };
}

const benchmarks: Benchmark[] = [{ name: 'curvature/', run }];
export default benchmarks;
