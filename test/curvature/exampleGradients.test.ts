import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import {
  batchGradient,
  directionalDerivatives,
  forEachExampleGradient,
  weightedGradientSum,
} from '../../src/curvature/exampleGradients.js';
import { unflattenToTensors } from '../../src/curvature/parameterVector.js';
import { trainingObjective } from '../../src/curvature/trainingObjective.js';
import { createRng } from '../../src/util/random.js';
import {
  exampleGradient,
  objectiveGradient,
  randomVector,
  regressionProblem,
  relativeError,
} from './regressionFixtures.js';

before(async () => {
  await initBackend({ quiet: true });
});

const TOL = 2e-5;

test('per-example, weighted, directional and mini-batch gradients match the closed forms', async () => {
  const p = regressionProblem('logistic', { n: 10, d: 3, k: 3, seed: 17 });
  try {
    const objective = trainingObjective(p.model, p.data, { loss: p.loss, batchSize: 3 });
    const n = 10;
    const exact = Array.from({ length: n }, (_, i) => exampleGradient(p, i));

    const seen: number[] = [];
    let progress = 0;
    await forEachExampleGradient(
      objective,
      (i, g) => {
        seen.push(i);
        assert.ok(relativeError(g, exact[i]!) < TOL, `example ${i}`);
      },
      (done) => {
        progress = done;
      },
    );
    assert.deepEqual(seen, [...Array(n).keys()]);
    assert.equal(progress, n);

    const rng = createRng(3);
    const w = Float64Array.from({ length: n }, () => rng.normal());
    const want = new Float64Array(objective.dim);
    exact.forEach((g, i) => {
      for (let q = 0; q < g.length; q++) want[q]! += w[i]! * g[q]!;
    });
    assert.ok(relativeError(await weightedGradientSum(objective, w), want) < TOL);

    const v = randomVector(objective.dim, 9);
    const vs = unflattenToTensors(v, objective.shapes);
    const a = await directionalDerivatives(objective, vs);
    tf.dispose(vs);
    const aWant = exact.map((g) => g.reduce((s, x, q) => s + x * v[q]!, 0));
    assert.ok(relativeError(a, aWant) < TOL);

    // A batch with a repeated index counts it twice; the penalty's gradient is added once.
    const indices = Int32Array.from([4, 1, 4, 7, 0]);
    const batch = new Float64Array(objective.dim);
    for (const i of indices)
      for (let q = 0; q < batch.length; q++) batch[q]! += exact[i]![q]! / indices.length;
    assert.ok(relativeError(await batchGradient(objective, indices, false), batch) < TOL);
    const withPenalty = objectiveGradient(p, true).gradient;
    const without = objectiveGradient(p, false).gradient;
    const penalty = batch.map((x, q) => x + withPenalty[q]! - without[q]!);
    assert.ok(relativeError(await batchGradient(objective, indices, true), penalty) < TOL);
  } finally {
    p.dispose();
  }
});
