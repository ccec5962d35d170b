import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initBackend } from '../../../src/backend/initBackend.js';
import { topEigenvalues } from '../../../src/curvature/estimators/topEigenvalues.js';
import { ggnOperator } from '../../../src/curvature/ggnOperator.js';
import { gradientCovarianceOperator } from '../../../src/curvature/gradientCovarianceOperator.js';
import { symmetricEigen } from '../../../src/linalg/symmetricEigen.js';
import { dimOf, gradientCovariance, regressionProblem } from '../regressionFixtures.js';
import { ggnReference, smallMlp } from '../smallMlpFixture.js';

before(async () => {
  await initBackend({ quiet: true });
});

test('topEigenvalues both ends of the GGN of a tanh network match the dense float64 GGN', async () => {
  const m = smallMlp('linear', 11, 8);
  try {
    const op = ggnOperator(m.model, m.data, { loss: 'crossEntropy' });
    const { values } = symmetricEigen(ggnReference(m), op.dim, { vectors: false });
    const r = await topEigenvalues(op, { k: 2, which: 'both', tol: 1e-5, seed: 1 });
    const top = values[values.length - 1]!;
    // float32 products: eigenvalues to ~1e-5 of the top one. The GGN is PSD with rank ≤ n(k − 1) = 16 < 31,
    // so its smallest eigenvalues are zero.
    assert.ok(Math.abs(r.values[0]! - top) <= 1e-4 * top, `${r.values[0]} vs ${top}`);
    assert.ok(Math.abs(r.values[1]! - values[values.length - 2]!) <= 1e-4 * top);
    assert.ok(Math.abs(r.values[2]!) <= 1e-4 * top && Math.abs(r.values[3]!) <= 1e-4 * top, `${r.values}`);
  } finally {
    m.dispose();
  }
});

test('topEigenvalues largest and smallest of σ² match the dense covariance of closed-form gradients', async () => {
  const p = regressionProblem('logistic', { n: 20, d: 4, k: 3, seed: 5 });
  try {
    const op = gradientCovarianceOperator(p.model, p.data, { loss: p.loss });
    const D = dimOf(p);
    const { values } = symmetricEigen(gradientCovariance(p), D, { vectors: false });
    const top = values[D - 1]!;
    const largest = await topEigenvalues(op, { k: 3, tol: 1e-5, seed: 2 });
    for (let i = 0; i < 3; i++) {
      assert.ok(
        Math.abs(largest.values[i]! - values[D - 1 - i]!) <= 1e-4 * top,
        `λ${i}: ${largest.values[i]}`,
      );
    }
    // σ² of softmax regression has a null space (each example's gradient is x̃ ⊗ (p − e_y), Σ_j (p − e_y)_j = 0).
    const smallest = await topEigenvalues(op, { k: 1, which: 'smallest', tol: 1e-5, seed: 3 });
    assert.ok(
      Math.abs(smallest.values[0]! - values[0]!) <= 1e-4 * top,
      `${smallest.values[0]} vs ${values[0]}`,
    );
  } finally {
    p.dispose();
  }
});
