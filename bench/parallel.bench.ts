// Worker threads on both cores: Hutchinson's Tr H of ResNet-20 with the probes shared among 1 and 2
// workers (parallelHutchinsonTrace) and in this thread (hutchinsonTrace), and a sweep-like workload — two
// identical small training runs, one after the other in this thread vs on the sweep's worker pool.
// Run with `npx tsx bench/run.ts --filter trace/` or `--filter sweep/`.
//
// Environment:
//   PARALLEL_BENCH_PROBES    probes per trace estimate (default 6; with 2 workers each does 3)
//   PARALLEL_BENCH_EXAMPLES  examples the objective averages over (default 64)
//   PARALLEL_BENCH_CHUNK     examples per double-backward chunk (default 32: ≈ 1.3 GB per product)
//   PARALLEL_BENCH_SWEEP_N   training images of each sweep run (default 400; ResNet-8, 1 epoch, batch 50)
//
// Every result has the wall-clock figure as `value` and the CPU time of this process (all its threads,
// workers included) as `cpuMs…`: on cores shared with other jobs the wall-clock speedup is depressed, and
// CPU time per probe says whether the work itself grew. `loadAverage` is the 1-minute load at the start
// and the end of the measurement.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/initBackend.js';
import { hutchinsonTrace } from '../src/curvature/estimators/hutchinsonTrace.js';
import { hessianOperator } from '../src/curvature/hessianOperator.js';
import { parallelHutchinsonTrace } from '../src/curvature/parallel/parallelHutchinsonTrace.js';
import { parameterCount } from '../src/curvature/parameterVector.js';
import { syntheticDataSource } from '../src/data/sources/index.js';
import type { Executor, SweepEvent } from '../src/experiments/executor.js';
import { experimentRunner } from '../src/experiments/experimentRunner.js';
import { inProcessExecutor } from '../src/experiments/inProcessExecutor.js';
import type { SweepTask } from '../src/experiments/sweepTask.js';
import { workerPoolExecutor } from '../src/experiments/workerPoolExecutor.js';
import { normalizeModelSpec } from '../src/models/modelRegistry.js';
import { resnetV1 } from '../src/models/resnetV1.js';
import { normalizeMeasurementSpec, normalizeTrainingSpec } from '../src/run/normalizeSpec.js';
import type { RunSpec } from '../src/run/runSpec.js';
import { type Benchmark, type BenchResult, positiveIntFromEnv } from './harness.js';
import { syntheticData } from './model.bench.js';

const load = (): number => Math.round(loadavg()[0]! * 100) / 100;

/** Wall-clock and process CPU milliseconds (all threads) of one call. */
async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { result, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

const round = (x: number, digits = 3): number => Number(x.toPrecision(digits));

async function* traceBench(): AsyncIterable<BenchResult> {
  const probes = positiveIntFromEnv('PARALLEL_BENCH_PROBES', 6);
  const examples = positiveIntFromEnv('PARALLEL_BENCH_EXAMPLES', 64);
  const chunk = positiveIntFromEnv('PARALLEL_BENCH_CHUNK', 32);
  await initBackend({ backend: 'wasm', quiet: true });
  const model = resnetV1({ depth: 20, seed: 1 });
  const data = syntheticData(examples, 2);
  const context = { backend: 'wasm', probes, examples, chunk, parameters: parameterCount(model) };
  try {
    const options = { probes, seed: 0, batchSize: chunk };
    const runs: {
      workers: number;
      wallMs: number;
      cpuMs: number;
      setupSeconds: number;
      samples: Float64Array;
    }[] = [];
    for (const workers of [1, 2]) {
      const loadBefore = load();
      const t = await timed(() => parallelHutchinsonTrace(model, data, { ...options, workers }));
      // Set-up: until the last worker was ready; the rest of the wall time is spent on probes.
      const setupSeconds = Math.max(...t.result.readySeconds.filter(Number.isFinite));
      const probeSeconds = t.wallMs / 1000 - setupSeconds;
      runs.push({ workers, ...t, setupSeconds, samples: t.result.probeValues });
      const base = runs[0]!;
      yield {
        name: `trace/parallel/resnet20/w${workers}`,
        value: round((probes * 1000) / t.wallMs),
        unit: 'probes/s',
        ...context,
        workers,
        wallMs: Math.round(t.wallMs),
        msPerProbe: Math.round(t.wallMs / probes),
        setupSeconds: round(setupSeconds),
        probesPerWorker: t.result.probesPerWorker,
        steadyProbesPerSecond: round(probes / probeSeconds),
        cpuMsPerProbe: Math.round(t.cpuMs / probes),
        ...(workers > 1
          ? {
              speedup: round(base.wallMs / t.wallMs),
              steadySpeedup: round((base.wallMs / 1000 - base.setupSeconds) / probeSeconds),
              cpuRatio: round(t.cpuMs / base.cpuMs),
              identicalToW1: t.result.probeValues.every((v, i) => Object.is(v, base.samples[i])),
            }
          : {}),
        loadAverage: [loadBefore, load()],
      };
    }
    const loadBefore = load();
    const op = hessianOperator(model, data, { batchSize: chunk });
    const t = await timed(() => hutchinsonTrace(op, options));
    yield {
      name: 'trace/inprocess/resnet20',
      value: round((probes * 1000) / t.wallMs),
      unit: 'probes/s',
      ...context,
      wallMs: Math.round(t.wallMs),
      msPerProbe: Math.round(t.wallMs / probes),
      cpuMsPerProbe: Math.round(t.cpuMs / probes),
      identicalToW1: t.result.probeValues.every((v, i) => Object.is(v, runs[0]!.samples[i])),
      loadAverage: [loadBefore, load()],
    };
  } finally {
    model.dispose();
    tf.dispose([data.images, data.labels]);
  }
}

/** Runs the tasks on an executor; throws if any fails. */
async function runTasks(executor: Executor, tasks: SweepTask[]): Promise<void> {
  const failures: string[] = [];
  await executor.run(tasks, (event: SweepEvent) => {
    if (event.type === 'failed') failures.push(`${event.taskId}: ${event.error}`);
  });
  if (failures.length > 0) throw new Error(`sweep bench: ${failures.join('; ')}`);
}

async function* sweepBench(): AsyncIterable<BenchResult> {
  const n = positiveIntFromEnv('PARALLEL_BENCH_SWEEP_N', 400);
  await initBackend({ backend: 'wasm', quiet: true });
  const spec: RunSpec = {
    data: {
      name: 'synthetic',
      dir: null,
      trainSize: n,
      testSize: 50,
      params: syntheticDataSource.normalize({ n, testN: 50, seed: 1 }, 'sweep bench'),
    },
    model: normalizeModelSpec({ name: 'resnetV1', options: { depth: 8 } }, 'sweep bench'),
    training: normalizeTrainingSpec(
      { loss: 'kld', learningRate: 0.05, batchSize: 50, epochs: 1 },
      'sweep bench',
    ),
    measurement: normalizeMeasurementSpec(
      { probes: 2, examples: 50, batchSize: 50, noise: 'perExample', sigmaHProbes: 2 },
      'sweep bench',
    ),
  };
  const dir = mkdtempSync(join(tmpdir(), 'sgdf-parallel-bench-'));
  // Fresh run directories for every execution, so that no run resumes from another's checkpoint.
  const tasks = (label: string): SweepTask[] =>
    ['a', 'b'].map((id) => ({ id: `${label}-${id}`, runDir: join(dir, label, id), spec }));
  const context = { backend: 'wasm', runs: 2, depth: 8, trainImages: n, epochs: 1, batchSize: 50 };
  try {
    let loadBefore = load();
    const sequential = await timed(() => runTasks(inProcessExecutor(experimentRunner), tasks('sequential')));
    yield {
      name: 'sweep/resnet8/in-process',
      value: round(sequential.wallMs / 1000),
      unit: 's',
      ...context,
      cpuSeconds: round(sequential.cpuMs / 1000),
      loadAverage: [loadBefore, load()],
    };
    loadBefore = load();
    const pool = await timed(() => runTasks(workerPoolExecutor({ workers: 2 }), tasks('pool')));
    yield {
      name: 'sweep/resnet8/pool-w2',
      value: round(pool.wallMs / 1000),
      unit: 's',
      ...context,
      cpuSeconds: round(pool.cpuMs / 1000),
      speedup: round(sequential.wallMs / pool.wallMs),
      cpuRatio: round(pool.cpuMs / sequential.cpuMs),
      loadAverage: [loadBefore, load()],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const benchmarks: Benchmark[] = [
  { name: 'trace/parallel/resnet20', run: traceBench },
  { name: 'sweep/resnet8', run: sweepBench },
];

export default benchmarks;
