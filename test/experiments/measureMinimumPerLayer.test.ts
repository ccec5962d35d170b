import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { exampleGradientDiagonals } from '../../src/curvature/exampleGradientDiagonals.js';
import { parameterBlocks } from '../../src/curvature/parameterBlocks.js';
import type { Dataset } from '../../src/data/dataset.js';
import { measureMinimum } from '../../src/experiments/measureMinimum.js';
import { resnetV1 } from '../../src/models/resnetV1.js';
import { createRng } from '../../src/util/random.js';
import {
  dimOf,
  gradientCovariance,
  objectiveHessian,
  regressionProblem,
} from '../curvature/regressionFixtures.js';

before(async () => {
  await initBackend({ quiet: true });
});

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
}

/** Σ of a dense matrix's diagonal over [start, end). */
function diagonalSum(m: Float64Array, dim: number, start: number, end: number): number {
  let s = 0;
  for (let q = start; q < end; q++) s += m[q * dim + q]!;
  return s;
}

test('perLayer: kernel and bias blocks of softmax regression agree with the closed-form blocks and sum to the totals', async () => {
  const p = regressionProblem('softmax', { n: 14, d: 4, k: 3, seed: 5 });
  try {
    const n = 14;
    const D = dimOf(p);
    const H = objectiveHessian(p, true);
    const S = gradientCovariance(p);
    const m = await measureMinimum(p.model, p.data, {
      loss: p.loss,
      matvecs: 40,
      sigmaHProbes: 1,
      seed: 3,
      perLayer: true,
    });
    const blocks = m.perLayer!;
    assert.deepEqual(
      blocks.map((b) => [b.block, b.parameters]),
      parameterBlocks(p.model).map((b) => [b.name, b.size]),
    );
    assert.equal(blocks.length, 2, 'kernel and bias');
    const kernelEnd = p.d * p.k;
    const ranges: [number, number][] = [
      [0, kernelEnd],
      [kernelEnd, D],
    ];
    blocks.forEach((b, i) => {
      const [start, end] = ranges[i]!;
      assert.equal(b.layer, b.block.slice(0, b.block.lastIndexOf('/')));
      const exactH = diagonalSum(H, D, start, end);
      // Hutchinson: within 4 standard errors (plus float32 rounding of the products).
      assert.ok(
        Math.abs(b.traceH - exactH) <= 4 * b.traceHStandardError + 1e-4 * Math.abs(exactH),
        `${b.block}: tr H_bb ${b.traceH} ± ${b.traceHStandardError} vs exact ${exactH}`,
      );
      // Exact up to float32 per-example gradients.
      const exactSigma = (n / (n - 1)) * diagonalSum(S, D, start, end);
      assert.ok(relative(b.traceSigma, exactSigma) < 1e-4, `${b.block}: ${b.traceSigma} vs ${exactSigma}`);
    });
    // The blocks are a split of the totals: equal up to float64 rounding.
    const sumH = blocks.reduce((s, b) => s + b.traceH, 0);
    const sumSigma = blocks.reduce((s, b) => s + b.traceSigma, 0);
    assert.ok(relative(sumH, m.traceH.estimate) < 1e-12, `${sumH} vs ${m.traceH.estimate}`);
    assert.ok(relative(sumSigma, m.traceSigma.estimate) < 1e-12, `${sumSigma} vs ${m.traceSigma.estimate}`);
    // The total is Hutchinson's estimate from the same probes as without perLayer.
    const plain = await measureMinimum(p.model, p.data, {
      loss: p.loss,
      matvecs: 40,
      sigmaHProbes: 1,
      seed: 3,
    });
    assert.ok(relative(m.traceH.estimate, plain.traceH.estimate) < 1e-12);
    assert.equal(m.traceSigma.estimate, plain.traceSigma.estimate);
    assert.equal(plain.perLayer, undefined);
  } finally {
    p.dispose();
  }
});

function randomImages(n: number, seed: number): Dataset {
  const rng = createRng(seed);
  return {
    images: tf.tensor4d(
      Float32Array.from({ length: n * 8 * 8 * 3 }, () => rng.normal()),
      [n, 8, 8, 3],
    ),
    labels: tf.tensor1d(
      Int32Array.from({ length: n }, () => rng.int(4)),
      'int32',
    ),
    numClasses: 4,
  };
}

test('perLayer on ResNet-8 (batch norm): one block per trainable weight, tr σ²_bb as the per-example diagonals, no leaked tensors', async () => {
  const model = resnetV1({ depth: 8, inputShape: [8, 8, 3], numFilters: 4, numClasses: 4, seed: 1 });
  const data = randomImages(12, 2);
  try {
    const options = {
      matvecs: 2,
      sigmaHProbes: 1,
      batchSize: 6,
      perLayer: true,
      bnStatistics: 'moving',
    } as const;
    const m = await measureMinimum(model, data, options);
    const blocks = m.perLayer!;
    assert.equal(blocks.length, model.trainableWeights.length);
    const sumH = blocks.reduce((s, b) => s + b.traceH, 0);
    const sumSigma = blocks.reduce((s, b) => s + b.traceSigma, 0);
    assert.ok(relative(sumH, m.traceH.estimate) < 1e-12);
    assert.ok(relative(sumSigma, m.traceSigma.estimate) < 1e-12);
    // Independent path: batch-of-one backward passes, Welford per coordinate (1/n covariance).
    const diagonals = await exampleGradientDiagonals(model, data, { batchSize: 6 });
    const n = 12;
    for (const [i, block] of parameterBlocks(model).entries()) {
      let exact = 0;
      for (let q = block.offset; q < block.offset + block.size; q++) exact += diagonals.covariance[q]!;
      exact *= n / (n - 1);
      const b = blocks[i]!;
      assert.equal(b.block, block.name);
      assert.ok(
        Math.abs(b.traceSigma - exact) <= 1e-4 * Math.abs(exact) + 1e-6 * m.traceSigma.estimate,
        `${b.block}: ${b.traceSigma} vs ${exact}`,
      );
    }
    const start = tf.memory().numTensors;
    await measureMinimum(model, data, options);
    assert.equal(tf.memory().numTensors, start);
  } finally {
    model.dispose();
    tf.dispose([data.images, data.labels]);
  }
});

test('perLayer names what rules it out', async () => {
  // A named loss ('kld'), so that workers > 1 is refused for perLayer and not for the loss.
  const p = regressionProblem('softmax', { n: 6, seed: 2 });
  try {
    const base = { loss: p.loss, sigmaHProbes: 1, perLayer: true };
    await assert.rejects(
      measureMinimum(p.model, p.data, { ...base, estimator: 'xtrace', matvecs: 4 }),
      /options\.perLayer needs options\.estimator 'hutchinson'/,
    );
    await assert.rejects(
      measureMinimum(p.model, p.data, { ...base, matvecs: 1 }),
      /options\.perLayer needs options\.matvecs ≥ 2/,
    );
    await assert.rejects(
      measureMinimum(p.model, p.data, { ...base, matvecs: 4, noise: 'minibatch', minibatchSize: 2 }),
      /options\.perLayer needs options\.noise 'perExample'/,
    );
    await assert.rejects(
      measureMinimum(p.model, p.data, { ...base, matvecs: 4, workers: 2 }),
      /options\.perLayer needs options\.workers 1/,
    );
  } finally {
    p.dispose();
  }
});
