import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hutchPlusPlusTrace } from '../../../src/curvature/estimators/index.js';
import { knownSpectrum, meanAndSE, recordingOperator, studentTCoverage } from './knownSpectrum.js';

// n = 60, indefinite, geometric decay into a flat tail: the sketch captures part of the spectrum.
const A = knownSpectrum(
  Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (1 + 20 * 0.85 ** i)),
  3,
);

test('unbiased on an indefinite matrix: mean over 600 seeds within 3 standard errors of tr(A)', async () => {
  const estimates: number[] = [];
  for (let seed = 0; seed < 600; seed++)
    estimates.push((await hutchPlusPlusTrace(A.op, { matvecs: 12, seed })).estimate);
  const { mean, se } = meanAndSE(estimates);
  assert.ok(Math.abs(mean - A.trace) <= 3 * se, `mean ${mean} vs tr ${A.trace}, SE ${se}`);
});

test('standard errors are calibrated: |est − tr| ≤ 2·SE in ≈ P(|t₉| ≤ 2) of 1000 runs', async () => {
  // matvecs 30: a 10-column sketch and p = 10 deflated probes, so the SE has 9 degrees of freedom.
  const runs = 1000;
  let covered = 0;
  for (let seed = 0; seed < runs; seed++) {
    const r = await hutchPlusPlusTrace(A.op, { matvecs: 30, seed: 5000 + seed });
    assert.equal(r.probeValues.length, 10);
    if (Math.abs(r.estimate - A.trace) <= 2 * r.standardError) covered++;
  }
  const expected = studentTCoverage(9, 2); // 0.923
  const binomialSE = Math.sqrt((expected * (1 - expected)) / runs); // 0.0084
  const fraction = covered / runs;
  // 4 binomial SEs, plus 0.01 for the deflated probe values not being exactly normal.
  assert.ok(Math.abs(fraction - expected) <= 4 * binomialSE + 0.01, `coverage ${fraction} vs ${expected}`);
});

test('uses exactly the matvec budget; the probes are deflated against an orthonormal basis of A·S', async () => {
  const recorder = recordingOperator(A.op);
  const progress: number[] = [];
  const r = await hutchPlusPlusTrace(recorder, {
    matvecs: 20,
    seed: 1,
    onProgress: ({ done: d, total: t }) => progress.push(d / t),
  });
  assert.equal(r.matvecs, 20);
  assert.equal(recorder.inputs.length, 20);
  assert.equal(progress.at(-1), 1);
  const n = A.n;
  const k = 6; // ⌊20/3⌋ sketch columns, then 6 basis products, then 8 probes
  const q = recorder.inputs.slice(k, 2 * k);
  const dot = (x: Float64Array, y: Float64Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) assert.ok(Math.abs(dot(q[a]!, q[b]!) - (a === b ? 1 : 0)) < 1e-12);
  }
  // Each A·sⱼ lies in span(Q).
  for (const s of recorder.inputs.slice(0, k)) {
    const y = A.multiply(s);
    const residual = Float64Array.from(y);
    for (const qa of q) {
      const c = dot(qa, y);
      for (let i = 0; i < n; i++) residual[i] = residual[i]! - c * qa[i]!;
    }
    assert.ok(Math.sqrt(dot(residual, residual)) < 1e-10 * Math.sqrt(dot(y, y)));
  }
  // Probes are orthogonal to Q and the estimate is tr(QᵀAQ) + their mean quadratic form.
  let expected = 0;
  for (const qa of q) expected += dot(qa, A.multiply(qa));
  const probes = recorder.inputs.slice(2 * k);
  assert.equal(probes.length, 8);
  let mean = 0;
  for (const g of probes) {
    for (const qa of q) assert.ok(Math.abs(dot(g, qa)) < 1e-12 * Math.sqrt(dot(g, g)));
    mean += dot(g, A.multiply(g)) / probes.length;
  }
  assert.ok(Math.abs(r.estimate - (expected + mean)) < 1e-10 * Math.abs(expected));
});

test('exact when the sketch spans the whole space', async () => {
  const b = knownSpectrum([5, -2, 0.5], 9);
  const r = await hutchPlusPlusTrace(b.op, { matvecs: 12, seed: 2 });
  assert.ok(Math.abs(r.estimate - 3.5) < 1e-12, `${r.estimate}`);
  assert.ok(r.standardError < 1e-12);
});

test('invalid options throw RangeErrors naming the option', async () => {
  for (const [options, message] of [
    [{ matvecs: 3 }, /matvecs must be an integer ≥ 4, got 3/],
    [{ matvecs: 10.5 }, /matvecs must be an integer ≥ 4/],
    [{ distribution: 'sphere' }, /distribution must be/],
  ] as const) {
    await assert.rejects(
      hutchPlusPlusTrace(A.op, options as never),
      (e: unknown) => e instanceof RangeError && message.test(e.message),
    );
  }
});
