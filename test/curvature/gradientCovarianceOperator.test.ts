import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import { gradientCovarianceOperator } from '../../src/curvature/gradientCovarianceOperator.js';
import {
  dimOf,
  gradientCovariance,
  matVec,
  randomVector,
  regressionProblem,
  relativeError,
} from './regressionFixtures.js';

before(async () => {
  await initBackend({ quiet: true });
});

for (const kind of ['linear', 'logistic'] as const) {
  test(`${kind} regression: σ²·v equals the closed-form covariance of per-example gradients times v`, async () => {
    const p = regressionProblem(kind, { n: 15, d: 3, k: 3, seed: 13 });
    try {
      // The model itself takes the one-pass batched product; nested as a layer of an outer model (not a
      // supported layer), the two-pass product by double backpropagation.
      for (const model of [p.model, tfl.sequential({ layers: [p.model] })]) {
        const op = gradientCovarianceOperator(model, p.data, { loss: p.loss, batchSize: 4 });
        assert.equal(op.dim, dimOf(p));
        const S = gradientCovariance(p);
        for (let s = 0; s < 3; s++) {
          const v = randomVector(op.dim, 40 + s);
          const got = await op.matvec(v);
          // float32 passes against float64: see the Hessian tests' tolerance.
          assert.ok(
            relativeError(got, matVec(S, v)) < 2e-5,
            `probe ${s}: ${relativeError(got, matVec(S, v))}`,
          );
        }
        assert.equal(op.matvecCount, 3);
      }
    } finally {
      p.dispose();
    }
  });
}

test('σ²·v does not depend on the chunk size, ignores the penalty and leaks no tensors', async () => {
  const p = regressionProblem('logistic', { n: 9, seed: 2, lambda: 0.5 });
  try {
    const v = randomVector(dimOf(p), 7);
    const one = await gradientCovarianceOperator(p.model, p.data, { loss: p.loss, batchSize: 1 }).matvec(v);
    const op = gradientCovarianceOperator(p.model, p.data, { loss: p.loss, batchSize: 4 });
    await op.matvec(v);
    const start = tf.memory().numTensors;
    const four = await op.matvec(v);
    await op.matvec(v);
    assert.equal(tf.memory().numTensors, start);
    assert.ok(relativeError(four, one) < 1e-6);
    assert.ok(relativeError(four, matVec(gradientCovariance(p), v)) < 2e-5);
    await assert.rejects(
      op.matvec(new Float64Array(2)),
      /gradientCovarianceOperator\.matvec: expected a Float64Array/,
    );
  } finally {
    p.dispose();
  }
});
