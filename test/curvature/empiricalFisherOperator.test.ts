import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { empiricalFisherOperator } from '../../src/curvature/empiricalFisherOperator.js';
import { batchGradient } from '../../src/curvature/exampleGradients.js';
import { gradientCovarianceOperator } from '../../src/curvature/gradientCovarianceOperator.js';
import {
  dimOf,
  exampleGradient,
  matVec,
  randomVector,
  regressionProblem,
  relativeError,
} from './regressionFixtures.js';

before(async () => {
  await initBackend({ quiet: true });
});

for (const kind of ['linear', 'logistic'] as const) {
  test(`${kind} regression: F̂·v equals (1/n)Σ gᵢgᵢᵀ v from closed-form per-example gradients`, async () => {
    const p = regressionProblem(kind, { n: 14, seed: 8 });
    try {
      const op = empiricalFisherOperator(p.model, p.data, { loss: p.loss, batchSize: 5 });
      const D = dimOf(p);
      assert.equal(op.dim, D);
      const F = new Float64Array(D * D);
      for (let i = 0; i < p.x.length; i++) {
        const g = exampleGradient(p, i);
        for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) F[a * D + b]! += (g[a]! * g[b]!) / p.x.length;
      }
      for (let s = 0; s < 3; s++) {
        const v = randomVector(D, 60 + s);
        const got = await op.matvec(v);
        assert.ok(relativeError(got, matVec(F, v)) < 2e-5, `probe ${s}: ${relativeError(got, matVec(F, v))}`);
      }
      assert.equal(op.matvecCount, 3);
    } finally {
      p.dispose();
    }
  });
}

test('σ² is the centered empirical Fisher: F̂v − ḡ(ḡ·v) = σ²v; no tensors leak', async () => {
  const p = regressionProblem('logistic', { n: 11, seed: 9, weightScale: 1.5 });
  try {
    const fisher = empiricalFisherOperator(p.model, p.data, { loss: p.loss, batchSize: 4 });
    const sigma = gradientCovarianceOperator(p.model, p.data, { loss: p.loss, batchSize: 4 });
    const all = Int32Array.from({ length: p.x.length }, (_, i) => i);
    const gbar = await batchGradient(fisher.objective, all, false);
    const v = randomVector(fisher.dim, 3);
    await fisher.matvec(v);
    const start = tf.memory().numTensors;
    const fv = await fisher.matvec(v);
    assert.equal(tf.memory().numTensors, start);
    const sv = await sigma.matvec(v);
    let dot = 0;
    for (let i = 0; i < v.length; i++) dot += gbar[i]! * v[i]!;
    const centered = fv.map((x, i) => x - gbar[i]! * dot);
    // The rank-one term is a sizable part of F̂ here (far from the minimum), so the identity is tested.
    assert.ok(relativeError(fv, sv) > 1e-2, `F̂v and σ²v nearly equal: ${relativeError(fv, sv)}`);
    assert.ok(relativeError(centered, sv) < 2e-5, `${relativeError(centered, sv)}`);
    await assert.rejects(
      fisher.matvec(new Float64Array(1)),
      /empiricalFisherOperator\.matvec: expected a Float64Array/,
    );
  } finally {
    p.dispose();
  }
});
