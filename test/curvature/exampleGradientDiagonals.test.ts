import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { hutchinsonDiagonal } from '../../src/curvature/estimators/hutchinsonDiagonal.js';
import { exampleGradientDiagonals } from '../../src/curvature/exampleGradientDiagonals.js';
import { gradientCovarianceOperator } from '../../src/curvature/gradientCovarianceOperator.js';
import {
  dimOf,
  exampleGradient,
  gradientCovariance,
  regressionProblem,
  relativeError,
} from './regressionFixtures.js';

before(async () => {
  await initBackend({ quiet: true });
});

test('exact diag σ² and diag F̂ equal those of the closed-form per-example gradients; no tensors leak', async () => {
  const p = regressionProblem('logistic', { n: 13, seed: 6, weightScale: 1.2 });
  try {
    const D = dimOf(p);
    const S = gradientCovariance(p);
    const fisher = new Float64Array(D);
    const mean = new Float64Array(D);
    for (let i = 0; i < p.x.length; i++) {
      const g = exampleGradient(p, i);
      for (let q = 0; q < D; q++) {
        fisher[q]! += (g[q]! * g[q]!) / p.x.length;
        mean[q]! += g[q]! / p.x.length;
      }
    }
    const start = tf.memory().numTensors;
    const progress: number[] = [];
    const r = await exampleGradientDiagonals(p.model, p.data, {
      loss: p.loss,
      onProgress: (e) => progress.push(e.done),
    });
    assert.equal(tf.memory().numTensors, start);
    assert.equal(r.examples, 13);
    assert.equal(progress.length, 13);
    const exactCov = Float64Array.from({ length: D }, (_, q) => S[q * D + q]!);
    assert.ok(relativeError(r.covariance, exactCov) < 2e-5, `${relativeError(r.covariance, exactCov)}`);
    assert.ok(relativeError(r.empiricalFisher, fisher) < 2e-5);
    assert.ok(relativeError(r.meanGradient, mean) < 2e-5);
  } finally {
    p.dispose();
  }
});

test('hutchinsonDiagonal of the σ² operator agrees with the exact diagonal within its standard errors', async () => {
  const p = regressionProblem('logistic', { n: 10, seed: 2 });
  try {
    const exact = await exampleGradientDiagonals(p.model, p.data, { loss: p.loss });
    const op = gradientCovarianceOperator(p.model, p.data, { loss: p.loss });
    const r = await hutchinsonDiagonal(op, { probes: 300, seed: 1 });
    for (let q = 0; q < op.dim; q++) {
      const z = (r.diagonal[q]! - exact.covariance[q]!) / r.standardErrors[q]!;
      assert.ok(Math.abs(z) < 4.5, `entry ${q}: z = ${z}`);
    }
  } finally {
    p.dispose();
  }
});
