import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topEigenvalues } from '../../../src/curvature/estimators/index.js';
import { matrixOperator } from '../../../src/curvature/linearOperator.js';
import { knownSpectrum, recordingOperator } from './knownSpectrum.js';

// n = 100: top eigenvalues 10, 9, 8, 7, 6, a dominant negative one (−20) and a bulk in [−1, 1].
const lambda = Array.from({ length: 100 }, (_, i) =>
  i < 5 ? 10 - i : i === 5 ? -20 : -1 + (2 * (i - 6)) / 93,
);
const A = knownSpectrum(lambda, 17);

function residualNorm(x: Float64Array, theta: number): number {
  const ax = A.multiply(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (ax[i]! - theta * x[i]!) ** 2;
  return Math.sqrt(s);
}

test('largest algebraic eigenvalues to 1e-8 relative, with Ritz vectors and honest residual bounds', async () => {
  const r = await topEigenvalues(A.op, { k: 5, tol: 1e-10, vectors: true, seed: 1 });
  assert.equal(r.converged, true);
  assert.ok(r.iterations < 100, `iterations ${r.iterations}`);
  assert.equal(r.matvecs, r.iterations);
  [10, 9, 8, 7, 6].forEach((expected, i) => {
    assert.ok(Math.abs(r.values[i]! - expected) <= 1e-8 * expected, `λ${i} = ${r.values[i]}`);
    const x = r.vectors![i]!;
    // |β·s| is the residual norm of the Ritz pair (equal up to the reorthogonalization's rounding).
    assert.ok(residualNorm(x, r.values[i]!) <= r.residualBounds[i]! + 1e-10);
    assert.ok(r.residualBounds[i]! <= 1e-10 * expected);
    // Unit Ritz vector aligned with the true eigenvector (column i of Q).
    let c = 0;
    let norm = 0;
    for (let l = 0; l < A.n; l++) {
      c += x[l]! * A.q[i * A.n + l]!;
      norm += x[l]! ** 2;
    }
    assert.ok(Math.abs(norm - 1) < 1e-12);
    assert.ok(Math.abs(Math.abs(c) - 1) < 1e-8, `|⟨x, q⟩| = ${Math.abs(c)}`);
  });
});

test('largest magnitude finds the dominant negative eigenvalue first', async () => {
  const r = await topEigenvalues(A.op, { k: 2, tol: 1e-10, which: 'largest-magnitude' });
  assert.equal(r.converged, true);
  assert.ok(Math.abs(r.values[0]! + 20) <= 1e-8 * 20, `${r.values[0]}`);
  assert.ok(Math.abs(r.values[1]! - 10) <= 1e-8 * 10, `${r.values[1]}`);
  assert.equal(r.vectors, undefined);
});

// An indefinite spectrum with separated ends: 10, 9, 8 on top, −12, −11, −10 at the bottom, bulk in [−1, 1].
const twoEnds = knownSpectrum(
  Array.from({ length: 100 }, (_, i) => (i < 3 ? 10 - i : i < 6 ? -15 + i : -1 + (2 * (i - 6)) / 93)),
  23,
);

test('smallest: the most negative eigenvalues, smallest first, with Ritz vectors', async () => {
  const r = await topEigenvalues(twoEnds.op, { k: 3, tol: 1e-10, which: 'smallest', vectors: true, seed: 2 });
  assert.equal(r.converged, true);
  [-12, -11, -10].forEach((expected, i) => {
    assert.ok(Math.abs(r.values[i]! - expected) <= 1e-8 * 12, `λ${i} = ${r.values[i]} vs ${expected}`);
    const ax = twoEnds.multiply(r.vectors![i]!);
    const res = Math.hypot(...ax.map((y, l) => y - r.values[i]! * r.vectors![i]![l]!));
    assert.ok(res <= r.residualBounds[i]! + 1e-10);
  });
});

test('both: k from each end of an indefinite spectrum from one Krylov space, for hardly more matvecs', async () => {
  const both = await topEigenvalues(twoEnds.op, { k: 2, tol: 1e-10, which: 'both', seed: 4 });
  assert.equal(both.converged, true);
  assert.equal(both.values.length, 4);
  [10, 9, -12, -11].forEach((expected, i) => {
    assert.ok(Math.abs(both.values[i]! - expected) <= 1e-8 * 12, `value ${i} = ${both.values[i]}`);
  });
  const largest = await topEigenvalues(twoEnds.op, { k: 2, tol: 1e-10, which: 'largest', seed: 4 });
  const smallest = await topEigenvalues(twoEnds.op, { k: 2, tol: 1e-10, which: 'smallest', seed: 4 });
  // The same start vector: 'both' runs until the slower end has converged.
  assert.equal(both.iterations, Math.max(largest.iterations, smallest.iterations));
  // 'largest-algebraic' is the old name of 'largest'.
  const alias = await topEigenvalues(twoEnds.op, { k: 2, tol: 1e-10, which: 'largest-algebraic', seed: 4 });
  assert.deepEqual(alias.values, largest.values);
});

test('both with k = 2 on a 4×4 space returns every value once', async () => {
  const small = knownSpectrum([4, -1, 2, 0.5], 9);
  const r = await topEigenvalues(small.op, { k: 2, tol: 1e-14, which: 'both' });
  assert.equal(r.converged, true);
  for (const [i, v] of [4, 2, -1, 0.5].entries()) {
    assert.ok(Math.abs(r.values[i]! - v) < 1e-12, `${r.values[i]} vs ${v}`);
  }
});

test('repeated eigenvalues are found with multiplicity after a Krylov breakdown and restart', async () => {
  // diag(3, 3, 3, 1, 1, 0, 0, 0): a single Krylov space has dimension 3 (one per distinct value).
  const n = 8;
  const d = [3, 3, 3, 1, 1, 0, 0, 0];
  const op = matrixOperator(
    Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? d[i]! : 0))),
  );
  const r = await topEigenvalues(op, { k: 4, tol: 1e-10, seed: 3 });
  assert.equal(r.converged, true);
  assert.deepEqual(
    Array.from(r.values, (v) => Math.round(v * 1e9) / 1e9),
    [3, 3, 3, 1],
  );
  assert.ok(r.iterations <= n);
});

test('exhausting a small space converges with the exact spectrum', async () => {
  const small = knownSpectrum([4, -1, 2], 2);
  const r = await topEigenvalues(small.op, { k: 3, tol: 1e-14, maxIter: 3 });
  assert.equal(r.converged, true);
  for (const [i, v] of r.values.entries()) assert.ok(Math.abs(v - [4, 2, -1][i]!) < 1e-12);
});

test('reports converged: false when maxIter runs out, and awaits async operators', async () => {
  // Residuals of 1e-14 relative are out of reach in 8 iterations with the gaps of this spectrum.
  const recorder = recordingOperator(A.op);
  const progress: number[] = [];
  const r = await topEigenvalues(recorder, {
    k: 2,
    maxIter: 8,
    tol: 1e-14,
    onProgress: ({ done: d }) => progress.push(d),
  });
  assert.equal(r.converged, false);
  assert.equal(r.iterations, 8);
  assert.equal(recorder.inputs.length, 8);
  assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8]);
  // Still the best Ritz values found: within their own residual bounds of true eigenvalues.
  for (let i = 0; i < 2; i++) {
    const nearest = Math.min(...lambda.map((l) => Math.abs(l - r.values[i]!)));
    assert.ok(nearest <= r.residualBounds[i]! + 1e-12);
  }
});

test('invalid options throw RangeErrors naming the option', async () => {
  for (const [options, message] of [
    [{ k: 0 }, /k must be a positive integer/],
    [{ k: 101 }, /k = 101 exceeds the operator dimension 100/],
    [{ k: 5, maxIter: 3 }, /maxMatvecs \(3\) must be ≥ the 5 values wanted/],
    [{ k: 3, maxIter: 5, which: 'both' }, /maxMatvecs \(5\) must be ≥ the 6 values wanted/],
    [{ k: 51, which: 'both' }, /k = 51 from each end exceeds the operator dimension 100/],
    [{ tol: -1 }, /tol must be a finite number > 0/],
    [{ which: 'middle' }, /which must be one of 'largest', 'smallest', 'both'/],
  ] as const) {
    await assert.rejects(
      topEigenvalues(A.op, options as never),
      (e: unknown) => e instanceof RangeError && message.test(e.message),
    );
  }
});
