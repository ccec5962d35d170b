import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hutchinsonDiagonal } from '../../../src/curvature/estimators/hutchinsonDiagonal.js';
import { matrixOperator } from '../../../src/curvature/linearOperator.js';
import { knownSpectrum } from './knownSpectrum.js';

const A = knownSpectrum(
  Array.from({ length: 40 }, (_, i) => 5 - i / 4),
  31,
);

test('unbiased per entry, with standard errors that match Σ_{j≠i} a_ij² / probes (Rademacher)', async () => {
  const probes = 400;
  const r = await hutchinsonDiagonal(A.op, { probes, seed: 5 });
  assert.equal(r.matvecs, probes);
  let worst = 0;
  for (let i = 0; i < A.n; i++) {
    let offDiagonal = 0;
    for (let j = 0; j < A.n; j++) if (j !== i) offDiagonal += A.data[i * A.n + j]! ** 2;
    const exactSE = Math.sqrt(offDiagonal / probes);
    // The sample SE of 400 probes is within ±25% of the exact one (its own relative spread is ~4%).
    assert.ok(
      Math.abs(r.standardErrors[i]! / exactSE - 1) < 0.25,
      `entry ${i}: ${r.standardErrors[i]} vs ${exactSE}`,
    );
    worst = Math.max(worst, Math.abs(r.diagonal[i]! - A.data[i * A.n + i]!) / exactSE);
  }
  // 40 z-scores: P(max |z| > 4) ≈ 40·6e-5.
  assert.ok(worst < 4, `largest |z| = ${worst}`);
});

test('a diagonal matrix is recovered exactly with zero standard errors; Gaussian probes are not exact', async () => {
  const d = [3, -1, 0.5, 2];
  const op = matrixOperator(d.map((v, i) => d.map((_, j) => (i === j ? v : 0))));
  const r = await hutchinsonDiagonal(op, { probes: 2 });
  assert.deepEqual(Array.from(r.diagonal), d);
  assert.deepEqual(Array.from(r.standardErrors), [0, 0, 0, 0]);
  const g = await hutchinsonDiagonal(op, { probes: 2, distribution: 'gaussian' });
  assert.ok(g.standardErrors.some((s) => s > 0));
});

test('invalid options throw RangeErrors naming the option', async () => {
  await assert.rejects(hutchinsonDiagonal(A.op, { probes: 1 }), /probes must be an integer ≥ 2/);
  await assert.rejects(
    hutchinsonDiagonal(A.op, { distribution: 'uniform' as never }),
    /distribution must be/,
  );
});
