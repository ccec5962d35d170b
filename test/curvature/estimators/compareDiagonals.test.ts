import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareDiagonals } from '../../../src/curvature/estimators/compareDiagonals.js';
import { createLinearRegression } from '../../../src/solvable/linearRegression.js';
import { createLogisticRegression } from '../../../src/solvable/logisticRegression.js';
import { createRng } from '../../../src/util/random.js';

const diagonal = (m: Float64Array, p: number) => Float64Array.from({ length: p }, (_, i) => m[i * p + i]!);

test('the exactly solvable models give γ = 1 and a log-correlation of 1 (σ² = s²H and σ² = H)', () => {
  const p = 6;
  const models = [
    createLinearRegression({ dim: p, noiseVariance: 2.5 }),
    createLogisticRegression({ dim: p, seed: 3 }),
  ];
  for (const model of models) {
    const [all] = compareDiagonals(diagonal(model.gradientCovariance, p), diagonal(model.hessian, p));
    assert.equal(all!.name, 'all');
    assert.equal(all!.used, p);
    assert.ok(Math.abs(all!.gamma - 1) < 1e-9, `${model.name}: γ = ${all!.gamma}`);
    assert.ok(all!.gammaStandardError < 1e-9, `${model.name}: SE ${all!.gammaStandardError}`);
    assert.ok(Math.abs(all!.logCorrelation - 1) < 1e-12 && Math.abs(all!.correlation - 1) < 1e-12);
  }
  // Linear regression: log c = log s².
  const [lin] = compareDiagonals(diagonal(models[0]!.gradientCovariance, p), diagonal(models[0]!.hessian, p));
  assert.ok(Math.abs(lin!.logPrefactor - Math.log(2.5)) < 1e-9);
});

test('an exact power law s = 3h^1.7 is fitted exactly; a noisy one within its standard error', () => {
  const rng = createRng(4);
  const h = Float64Array.from({ length: 2000 }, () => Math.exp(2 * rng.normal()));
  const exact = compareDiagonals(
    h.map((x) => 3 * x ** 1.7),
    h,
  )[0]!;
  assert.ok(Math.abs(exact.gamma - 1.7) < 1e-12 && Math.abs(exact.logPrefactor - Math.log(3)) < 1e-11);
  const noise = 0.3;
  const noisy = compareDiagonals(
    h.map((x) => x ** 1.5 * Math.exp(noise * rng.normal())),
    h,
  )[0]!;
  // OLS: SE = noise / √Σ(log h − mean)², with Σ ≈ 2000·4.
  const expectedSE = noise / Math.sqrt(2000 * 4);
  assert.ok(
    Math.abs(noisy.gammaStandardError / expectedSE - 1) < 0.1,
    `${noisy.gammaStandardError} vs ${expectedSE}`,
  );
  assert.ok(Math.abs(noisy.gamma - 1.5) < 4 * noisy.gammaStandardError, `γ = ${noisy.gamma}`);
});

test('per-block rows then "all"; non-positive entries are left out of the fit', () => {
  const h = Float64Array.of(1, 2, 4, 8, -1, 1, 2, 3, 4, 5);
  const s = Float64Array.of(1, 4, 16, 64, 2, 2, 4, 6, 8, 0);
  const rows = compareDiagonals(s, h, [
    { name: 'quadratic', offset: 0, size: 5 },
    { name: 'linear', offset: 5, size: 5 },
  ]);
  assert.deepEqual(
    rows.map((r) => [r.name, r.size, r.used]),
    [
      ['quadratic', 5, 4],
      ['linear', 5, 4],
      ['all', 10, 8],
    ],
  );
  assert.ok(Math.abs(rows[0]!.gamma - 2) < 1e-12);
  assert.ok(Math.abs(rows[1]!.gamma - 1) < 1e-12 && Math.abs(rows[1]!.logPrefactor - Math.log(2)) < 1e-12);
  // Two used entries are too few for a fit with an error.
  const [few] = compareDiagonals(Float64Array.of(1, 2), Float64Array.of(1, 2));
  assert.ok(Number.isNaN(few!.gamma) && Number.isNaN(few!.gammaStandardError));
});

test('invalid input throws RangeErrors naming the argument', () => {
  assert.throws(() => compareDiagonals(new Float64Array(3), new Float64Array(2)), /hessianDiagonal has 2/);
  assert.throws(
    () => compareDiagonals(Float64Array.of(1, Number.NaN), Float64Array.of(1, 1)),
    /sigmaDiagonal\[1\] is NaN/,
  );
  assert.throws(
    () => compareDiagonals(Float64Array.of(1, 2), Float64Array.of(1, 2), [{ name: 'x', offset: 0, size: 1 }]),
    /blocks cover 1 coordinates/,
  );
});
