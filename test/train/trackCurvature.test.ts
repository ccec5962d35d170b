import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import type { SplitDataset } from '../../src/data/dataset.js';
import { syntheticCifar10 } from '../../src/data/syntheticCifar10.js';
import { measureMinimum } from '../../src/experiments/measureMinimum.js';
import { symmetricEigen } from '../../src/linalg/symmetricEigen.js';
import { resnetV1 } from '../../src/models/resnetV1.js';
import type { EpochRecord } from '../../src/train/history.js';
import { stepDecay } from '../../src/train/schedule.js';
import { type TrainSGDOptions, trainSGD } from '../../src/train/trainSGD.js';
import {
  dimOf,
  gradientCovariance,
  objectiveHessian,
  regressionProblem,
} from '../curvature/regressionFixtures.js';

const constantRate = stepDecay({ boundaries: [], factor: 0.1 });
let data: SplitDataset;
let root: string;

before(async () => {
  await initBackend({ quiet: true });
  data = syntheticCifar10({ n: 24, seed: 5, testN: 8, height: 8, width: 8 });
  root = mkdtempSync(join(tmpdir(), 'sgdf-track-'));
});
after(() => {
  tf.dispose([data.train.images, data.train.labels, data.test.images, data.test.labels]);
  rmSync(root, { recursive: true, force: true });
});

function trace(m: Float64Array, dim: number): number {
  let s = 0;
  for (let q = 0; q < dim; q++) s += m[q * dim + q]!;
  return s;
}

test('tracked Tr H, tr σ² and λ_max agree with the closed forms at each tracked epoch', async () => {
  const p = regressionProblem('logistic', { n: 10, d: 3, k: 3, seed: 4 });
  try {
    const D = dimOf(p);
    const checked: number[] = [];
    const { history } = await trainSGD(p.model, p.data, {
      lr: 0.3,
      batchSize: 5,
      epochs: 3,
      loss: p.loss,
      schedule: constantRate,
      quiet: true,
      track: { every: 2, examples: 10, probes: 30, eigenMatvecs: D },
      // At the end of an epoch the weights are those the tracked values were measured at.
      onEpochEnd: (record) => {
        const c = record.curvature;
        if (c === undefined) return;
        checked.push(record.epoch);
        const H = objectiveHessian(p, true);
        const exactTraceH = trace(H, D);
        assert.ok(
          Math.abs(c.traceH!.estimate - exactTraceH) <= 4 * c.traceH!.standardError + 1e-4 * exactTraceH,
          `epoch ${record.epoch}: Tr H ${c.traceH!.estimate} ± ${c.traceH!.standardError} vs ${exactTraceH}`,
        );
        const exactTraceSigma = (10 / 9) * trace(gradientCovariance(p), D);
        assert.ok(Math.abs(c.traceSigma!.estimate - exactTraceSigma) < 1e-4 * exactTraceSigma);
        assert.equal(c.traceSigma!.standardError, 0);
        const top = Math.max(...symmetricEigen(H, D, { vectors: false }).values);
        assert.ok(
          Math.abs(c.topEigenvalue!.value - top) < 1e-4 * top,
          `λ_max ${c.topEigenvalue!.value} vs ${top}`,
        );
        assert.equal(c.examples, 10);
      },
    });
    // Every 2nd epoch (index 1) and the last (index 2).
    assert.deepEqual(checked, [1, 2]);
    assert.equal(history[0]!.curvature, undefined);
  } finally {
    p.dispose();
  }
});

function allWeights(model: LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.originalName, Float32Array.from(w.read().dataSync())]));
}

/** Trains a fresh ResNet-8 (batch norm) and returns its batch losses, history and every weight. */
async function train(options: Partial<TrainSGDOptions>): Promise<{
  losses: number[];
  history: EpochRecord[];
  weights: Map<string, Float32Array>;
}> {
  const model = resnetV1({ depth: 8, inputShape: [8, 8, 3], numFilters: 2, seed: 3 });
  const losses: number[] = [];
  try {
    const { history } = await trainSGD(model, data, {
      lr: 0.05,
      batchSize: 8,
      epochs: 3,
      momentum: 0.5,
      schedule: constantRate,
      augment: { padCrop: 2, flip: true },
      quiet: true,
      onBatchEnd: (info) => {
        losses.push(info.loss);
      },
      ...options,
    });
    return { losses, history, weights: allWeights(model) };
  } finally {
    model.dispose();
  }
}

test('a tracked run trains exactly as an untracked one (batches, weights, batch-norm statistics), also across a resume', async () => {
  const track = { every: 2, examples: 12, probes: 2, eigenMatvecs: 4, batchSize: 6 };
  const untracked = await train({});
  const start = tf.memory().numTensors;
  const tracked = await train({ track });
  assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
  assert.deepEqual(tracked.losses, untracked.losses, 'the same batches in the same order');
  assert.deepEqual(tracked.weights, untracked.weights, 'bit-equal weights and moving statistics');
  assert.deepEqual(
    tracked.history.map((e) => e.curvature !== undefined),
    [false, true, true],
  );
  for (const e of tracked.history.filter((r) => r.curvature)) {
    const c = e.curvature!;
    assert.ok(Number.isFinite(c.traceH!.estimate) && c.traceH!.matvecs === 2);
    assert.ok(c.traceSigma!.estimate > 0);
    assert.ok(Number.isFinite(c.topEigenvalue!.value) && c.topEigenvalue!.matvecs <= 4);
  }

  // Interrupted after epoch 2, then resumed: the first process's tracked values stay.
  const dir = join(root, 'resume');
  const first = await train({
    track,
    checkpointDir: dir,
    onEpochEnd: (record) => record.epoch < 1,
  });
  assert.equal(first.history.length, 2);
  const resumed = await train({ track, checkpointDir: dir, resume: true });
  assert.deepEqual(resumed.weights, untracked.weights);
  assert.deepEqual(resumed.history[1]!.curvature, first.history[1]!.curvature);
  assert.deepEqual(resumed.history[1]!.curvature?.traceH, tracked.history[1]!.curvature?.traceH);
  assert.deepEqual(resumed.history[2]!.curvature?.traceSigma, tracked.history[2]!.curvature?.traceSigma);
});

test('the tracked values at the end are those of measureMinimum on the final weights', async () => {
  const model = resnetV1({ depth: 8, inputShape: [8, 8, 3], numFilters: 2, seed: 3 });
  try {
    const { history } = await trainSGD(model, data, {
      lr: 0.05,
      batchSize: 8,
      epochs: 1,
      seed: 7,
      quiet: true,
      track: { every: 5, examples: 12, probes: 3, quantities: ['traceSigma', 'traceH'], batchSize: 6 },
    });
    const c = history[0]!.curvature!;
    assert.equal(c.topEigenvalue, undefined);
    const first12 = {
      images: tf.slice(data.train.images, [0, 0, 0, 0], [12, -1, -1, -1]),
      labels: tf.slice(data.train.labels, [0], [12]),
      numClasses: 10,
    };
    try {
      const m = await measureMinimum(model, first12, { matvecs: 3, seed: 7, sigmaHProbes: 1, batchSize: 6 });
      assert.ok(Math.abs(c.traceH!.estimate - m.traceH.estimate) <= 1e-9 * Math.abs(m.traceH.estimate));
      assert.ok(Math.abs(c.traceSigma!.estimate - m.traceSigma.estimate) <= 1e-9 * m.traceSigma.estimate);
    } finally {
      tf.dispose([first12.images, first12.labels]);
    }
  } finally {
    model.dispose();
  }
});

test('bad track options are refused, naming the option', async () => {
  const model = resnetV1({ depth: 8, inputShape: [8, 8, 3], numFilters: 2, seed: 3 });
  try {
    const options = { lr: 0.05, batchSize: 8, epochs: 1, quiet: true };
    await assert.rejects(trainSGD(model, data, { ...options, track: { every: 0 } }), /options\.track\.every/);
    await assert.rejects(
      trainSGD(model, data, { ...options, track: { every: 1, examples: 25 } }),
      /options\.track\.examples must be an integer in \[2, 24\]/,
    );
    await assert.rejects(
      // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
      trainSGD(model, data, { ...options, track: { every: 1, quantities: ['traceh' as any] } }),
      /options\.track\.quantities/,
    );
    await assert.rejects(
      // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
      trainSGD(model, data, { ...options, track: { every: 1, probe: 3 } as any }),
      /unknown option 'probe'; did you mean 'probes'/,
    );
  } finally {
    model.dispose();
  }
});
