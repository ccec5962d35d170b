import assert from 'node:assert/strict';
import { test } from 'node:test';
import { operatorAlignment } from '../../../src/curvature/estimators/operatorAlignment.js';
import { matrixOperator } from '../../../src/curvature/linearOperator.js';
import { knownSpectrum } from './knownSpectrum.js';

const n = 30;
// A: PSD with a decaying spectrum; B = A² + N with N another PSD matrix in a random basis — partly aligned.
const A = knownSpectrum(
  Array.from({ length: n }, (_, i) => 3 * 0.85 ** i),
  4,
);
const N = knownSpectrum(
  Array.from({ length: n }, (_, i) => 0.5 * 0.9 ** i),
  5,
);
const bData = new Float64Array(n * n);
for (let i = 0; i < n; i++) {
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += A.data[i * n + k]! * A.data[k * n + j]!;
    bData[i * n + j] = s + N.data[i * n + j]!;
  }
}
const B = matrixOperator({ data: bData, size: n });

function exactAlignment(): number {
  let tr = 0;
  let fa = 0;
  let fb = 0;
  for (let k = 0; k < n * n; k++) {
    tr += A.data[k]! * bData[k]!; // tr(AB) = Σ A_ij B_ji = Σ A_ij B_ij for symmetric B
    fa += A.data[k]! ** 2;
    fb += bData[k]! ** 2;
  }
  return tr / Math.sqrt(fa * fb);
}

test('A = B gives exactly 1 with zero standard error', async () => {
  const r = await operatorAlignment(A.op, A.op, { probes: 5 });
  assert.ok(Math.abs(r.estimate - 1) < 1e-14);
  assert.ok(r.standardError < 1e-12);
  assert.equal(r.matvecs, 10);
});

test('the standard error is calibrated: ~95% of 300 runs fall within 1.96 SE of the exact alignment', async () => {
  const truth = exactAlignment();
  assert.ok(truth > 0.3 && truth < 0.99, `test matrices should be partly aligned: ${truth}`);
  let covered = 0;
  let sumZ = 0;
  const runs = 300;
  for (let seed = 0; seed < runs; seed++) {
    const r = await operatorAlignment(A.op, B, { probes: 40, seed });
    const z = (r.estimate - truth) / r.standardError;
    if (Math.abs(z) <= 1.96) covered++;
    sumZ += z;
  }
  // Binomial(300, 0.95) has sd 3.8 runs; the ratio's O(1/probes) bias and the noisy SE cost a little more.
  assert.ok(covered / runs > 0.88, `coverage ${covered / runs}`);
  assert.ok(Math.abs(sumZ / runs) < 0.3, `mean z ${sumZ / runs} (bias)`);
});

test('the parts estimate tr(AB), ‖A‖_F² and ‖B‖_F²; mismatched dimensions are rejected', async () => {
  const r = await operatorAlignment(A.op, B, { probes: 400, seed: 2 });
  let tr = 0;
  let fa = 0;
  for (let k = 0; k < n * n; k++) {
    tr += A.data[k]! * bData[k]!;
    fa += A.data[k]! ** 2;
  }
  assert.ok(Math.abs(r.traceProduct.estimate - tr) < 4 * r.traceProduct.standardError);
  assert.ok(Math.abs(r.frobeniusSqA.estimate - fa) < 4 * r.frobeniusSqA.standardError);
  const small = knownSpectrum([1, 2], 1);
  await assert.rejects(operatorAlignment(A.op, small.op), /a has dim 30 but b has dim 2/);
  await assert.rejects(operatorAlignment(A.op, B, { probes: 1 }), /probes must be an integer ≥ 2/);
});
