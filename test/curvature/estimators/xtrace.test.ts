import assert from 'node:assert/strict';
import { test } from 'node:test';
import { xtrace } from '../../../src/curvature/estimators/index.js';
import { thinQR } from '../../../src/linalg/qr.js';
import {
  type KnownSpectrumMatrix,
  knownSpectrum,
  meanAndSE,
  recordingOperator,
  studentTCoverage,
} from './knownSpectrum.js';

const A = knownSpectrum(
  Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (1 + 20 * 0.85 ** i)),
  3,
);

const dot = (x: Float64Array, y: Float64Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);

/**
 * The definition, computed directly: tᵢ = tr(QᵢᵀAQᵢ) + ωᵢᵀ(I−QᵢQᵢᵀ)A(I−QᵢQᵢᵀ)ωᵢ with
 * Qᵢ = orth(A·Ω without column i), from dense products — O(s²·n²), no downdating.
 */
function directExchangeableTerms(m: KnownSpectrumMatrix, omega: Float64Array[]): number[] {
  const { n } = m;
  const s = omega.length;
  const y = omega.map((w) => m.multiply(w));
  return omega.map((w, i) => {
    const cols = y.filter((_, j) => j !== i);
    const block = new Float64Array(n * (s - 1));
    for (const [j, c] of cols.entries()) block.set(c, j * n);
    const { q } = thinQR(block, n, s - 1);
    const basis = Array.from({ length: s - 1 }, (_, j) => q.subarray(j * n, (j + 1) * n));
    let t = 0;
    for (const b of basis) t += dot(b, m.multiply(b));
    const u = Float64Array.from(w);
    for (const b of basis) {
      const c = dot(b, w);
      for (let l = 0; l < n; l++) u[l] = u[l]! - c * b[l]!;
    }
    return t + dot(u, m.multiply(u));
  });
}

test('the downdated leave-one-out estimates equal the direct definition', async () => {
  for (const [matvecs, seed] of [
    [8, 1],
    [20, 2],
  ] as const) {
    const recorder = recordingOperator(A.op);
    const r = await xtrace(recorder, { matvecs, seed });
    assert.equal(r.method, 'downdate');
    assert.equal(recorder.inputs.length, matvecs);
    const direct = directExchangeableTerms(A, recorder.inputs.slice(0, matvecs / 2));
    direct.forEach((t, i) => {
      assert.ok(
        Math.abs(r.probeValues[i]! - t) < 1e-9 * Math.abs(A.trace),
        `m=${matvecs} i=${i}: ${r.probeValues[i]} vs ${t}`,
      );
    });
    const mean = direct.reduce((a, b) => a + b, 0) / direct.length;
    assert.ok(Math.abs(r.estimate - mean) < 1e-9 * Math.abs(A.trace));
  }
});

test('unbiased on an indefinite matrix: mean over 600 seeds within 3 standard errors of tr(A)', async () => {
  const estimates: number[] = [];
  for (let seed = 0; seed < 600; seed++) estimates.push((await xtrace(A.op, { matvecs: 12, seed })).estimate);
  const { mean, se } = meanAndSE(estimates);
  assert.ok(Math.abs(mean - A.trace) <= 3 * se, `mean ${mean} vs tr ${A.trace}, SE ${se}`);
});

test('the leave-one-out standard error is roughly calibrated (a heuristic: it runs slightly optimistic)', async () => {
  const runs = 1000;
  let covered = 0;
  for (let seed = 0; seed < runs; seed++) {
    const r = await xtrace(A.op, { matvecs: 30, seed: 7000 + seed });
    if (Math.abs(r.estimate - A.trace) <= 2 * r.standardError) covered++;
  }
  // If the 15 tᵢ were independent and normal, the coverage would be P(|t₁₄| ≤ 2) = 0.935. They share
  // all but one test vector, and in our runs ±2·SE covered about 0.90 of the runs (see
  // docs/estimators.md). Accept [0.85, 0.97]: 0.90 ± 4 binomial SEs (0.0095) is [0.862, 0.938], and a
  // badly wrong SE (a factor 1.5 either way) leaves the interval (≈0.73 or ≈0.99).
  const fraction = covered / runs;
  assert.ok(studentTCoverage(14, 2) > 0.93);
  assert.ok(fraction >= 0.85 && fraction <= 0.97, `coverage ${fraction}`);
});

test('rank-deficient operators (rank < m/2) switch to the rank-revealing path and are exact', async () => {
  const lambda = new Float64Array(40);
  lambda.set([7, -3, 2]);
  const low = knownSpectrum(lambda, 5);
  const r = await xtrace(low.op, { matvecs: 20, seed: 1 });
  assert.equal(r.method, 'rank-revealing');
  assert.ok(Math.abs(r.estimate - 6) < 1e-10, `${r.estimate}`);
  assert.ok(r.standardError < 1e-10);
});

test('rank-revealing path agrees with the direct definition on a full-rank but ill-conditioned sketch', async () => {
  // Eigenvalues 10⁰ … 10⁻¹⁴: A·Ω has condition number far above 1e8.
  const m = knownSpectrum(
    Array.from({ length: 30 }, (_, i) => 10 ** -Math.min(i, 14)),
    6,
  );
  const recorder = recordingOperator(m.op);
  const r = await xtrace(recorder, { matvecs: 24, seed: 4 });
  assert.equal(r.method, 'rank-revealing');
  const direct = directExchangeableTerms(m, recorder.inputs.slice(0, 12));
  // Directions below 1e-10 of the largest are left to the probe term instead of the basis; both are
  // unbiased and differ by about the size of those directions' eigenvalues.
  for (const [i, t] of direct.entries())
    assert.ok(Math.abs(r.probeValues[i]! - t) < 1e-6, `${r.probeValues[i]} vs ${t}`);
  assert.ok(Math.abs(r.estimate - m.trace) < 1e-6 * m.trace);
});

test('invalid options throw RangeErrors naming the option', async () => {
  for (const [options, message] of [
    [{ matvecs: 2 }, /matvecs must be an integer ≥ 4, got 2/],
    [{ matvecs: 11 }, /matvecs must be even/],
    [{ matvecs: 122 }, /matvecs\/2 = 61 must not exceed the operator dimension 60/],
    [{ seed: Number.POSITIVE_INFINITY }, /seed must be a finite number/],
  ] as const) {
    await assert.rejects(
      xtrace(A.op, options),
      (e: unknown) => e instanceof RangeError && message.test(e.message),
    );
  }
});

test('the default budget fits operators of dimension below 50: 2·dim matvecs', async () => {
  const small = knownSpectrum([5, -2, 1, 0.5, 3, 7, -1, 2, 4, 0.25], 11);
  const r = await xtrace(small.op);
  assert.equal(r.matvecs, 20);
  const exact = 5 - 2 + 1 + 0.5 + 3 + 7 - 1 + 2 + 4 + 0.25;
  assert.ok(
    Math.abs(r.estimate - exact) < 4 * r.standardError,
    `${r.estimate} ± ${r.standardError} vs ${exact}`,
  );
  const one = { dim: 1, matvec: async (v: Float64Array) => v };
  await assert.rejects(xtrace(one), /xtrace: the operator must have dimension ≥ 2/);
});
