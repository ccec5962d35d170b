import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hutchinsonTrace } from '../../../src/curvature/estimators/index.js';
import { matrixOperator } from '../../../src/curvature/linearOperator.js';
import { knownSpectrum, meanAndSE, recordingOperator, studentTCoverage } from './knownSpectrum.js';

// n = 30, indefinite, spread spectrum: dense, so the probe values are close to normal.
const A = knownSpectrum(
  Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (0.5 + i / 10)),
  11,
);

function frobeniusAndDiagonal(data: Float64Array, n: number): { fro2: number; diag2: number } {
  let fro2 = 0;
  let diag2 = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) fro2 += data[i * n + j]! ** 2;
    diag2 += data[i * n + i]! ** 2;
  }
  return { fro2, diag2 };
}

test('unbiased on an indefinite matrix: mean over 1000 seeds within 3 standard errors of tr(A)', async () => {
  for (const distribution of ['rademacher', 'gaussian'] as const) {
    const estimates: number[] = [];
    for (let seed = 0; seed < 1000; seed++) {
      estimates.push((await hutchinsonTrace(A.op, { probes: 5, seed, distribution })).estimate);
    }
    const { mean, se } = meanAndSE(estimates);
    assert.ok(Math.abs(mean - A.trace) <= 3 * se, `${distribution}: mean ${mean} vs tr ${A.trace}, SE ${se}`);
  }
});

test('per-probe variance matches 2‖A‖_F² − 2Σa_ii² (Rademacher) and 2‖A‖_F² (Gaussian)', async () => {
  const { fro2, diag2 } = frobeniusAndDiagonal(A.data, A.n);
  const probes = 4000;
  for (const [distribution, expected] of [
    ['rademacher', 2 * fro2 - 2 * diag2],
    ['gaussian', 2 * fro2],
  ] as const) {
    const { probeValues: samples, standardError } = await hutchinsonTrace(A.op, {
      probes,
      seed: 5,
      distribution,
    });
    const variance = standardError ** 2 * probes;
    // The sample variance of k values has relative standard deviation ≈ √((κ − 1)/k) with κ the
    // kurtosis (≤ ~15 for Gaussian quadratic forms): ≤ 0.06 at k = 4000, so ±25% is > 4 SDs.
    assert.ok(Math.abs(variance / expected - 1) < 0.25, `${distribution}: ${variance} vs ${expected}`);
    assert.equal(samples.length, probes);
  }
});

test('standard errors are calibrated: |est − tr| ≤ 2·SE in ≈ P(|t₂₉| ≤ 2) of 2000 runs', async () => {
  const runs = 2000;
  const probes = 30;
  let covered = 0;
  for (let seed = 0; seed < runs; seed++) {
    const r = await hutchinsonTrace(A.op, { probes, seed: 10_000 + seed });
    if (Math.abs(r.estimate - A.trace) <= 2 * r.standardError) covered++;
  }
  const expected = studentTCoverage(probes - 1, 2); // 0.945 for normal probe values
  const binomialSE = Math.sqrt((expected * (1 - expected)) / runs); // 0.0051
  // 4 binomial SEs, plus 0.01 for the probe values not being exactly normal.
  const fraction = covered / runs;
  assert.ok(Math.abs(fraction - expected) <= 4 * binomialSE + 0.01, `coverage ${fraction} vs ${expected}`);
});

test('adaptive tol stops with standardError ≤ tol·|estimate| after at least minProbes', async () => {
  const tol = 0.05;
  const r = await hutchinsonTrace(A.op, { tol, seed: 3 });
  assert.equal(r.converged, true);
  assert.ok(r.standardError <= tol * Math.abs(r.estimate));
  assert.ok(r.matvecs >= 10 && r.matvecs < 1000, `matvecs ${r.matvecs}`);
  assert.equal(r.probeValues.length, r.matvecs);
  // The previous probe count did not meet the rule (it stops at the first k that does).
  const previous = await hutchinsonTrace(A.op, { probes: r.matvecs - 1, seed: 3 });
  if (r.matvecs - 1 >= 10) assert.ok(previous.standardError > tol * Math.abs(previous.estimate));
});

test('adaptive tol never stops before minProbes, even when the variance is zero', async () => {
  // Rademacher probes give xᵀDx = tr(D) exactly for diagonal D: SE is 0 from the second probe on.
  const d = matrixOperator([
    [1, 0, 0],
    [0, 2, 0],
    [0, 0, 4],
  ]);
  const r = await hutchinsonTrace(d, { tol: 1e-3 });
  assert.equal(r.matvecs, 10);
  assert.equal(r.estimate, 7);
  assert.equal(r.standardError, 0);
  const r2 = await hutchinsonTrace(d, { tol: 1e-3, minProbes: 25 });
  assert.equal(r2.matvecs, 25);
});

test('adaptive tol reports converged: false when maxProbes runs out', async () => {
  // tr ≈ 0 relative to the spread: the relative rule cannot be met.
  const b = knownSpectrum([3, -3, 2, -2, 1, -1], 4);
  const r = await hutchinsonTrace(b.op, { tol: 1e-6, maxProbes: 40 });
  assert.equal(r.converged, false);
  assert.equal(r.matvecs, 40);
});

test('awaits async operators: same result as the synchronous operator, progress reported', async () => {
  const recorder = recordingOperator(A.op);
  const progress: [number, number][] = [];
  const sync = await hutchinsonTrace(A.op, { probes: 7, seed: 9 });
  const async_ = await hutchinsonTrace(recorder, {
    probes: 7,
    seed: 9,
    onProgress: ({ stage, done: d, total: t }) => {
      assert.equal(stage, 'hutchinsonTrace');
      progress.push([d, t]);
    },
  });
  assert.equal(async_.estimate, sync.estimate);
  assert.equal(recorder.inputs.length, 7);
  assert.deepEqual(
    progress,
    Array.from({ length: 7 }, (_, i) => [i + 1, 7]),
  );
});

test('invalid options throw RangeErrors naming the option', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ probes: 0 }, /probes must be a positive integer/],
    [{ probes: 2.5 }, /probes must be a positive integer/],
    [{ tol: 0 }, /tol must be a finite number > 0/],
    [{ tol: 0.1, probes: 10 }, /either matvecs .* or tol/],
    [{ tol: 0.1, minProbes: 1 }, /minProbes must be an integer ≥ 2/],
    [{ tol: 0.1, minProbes: 20, maxProbes: 10 }, /maxMatvecs \(10\) must be ≥ minMatvecs \(20\)/],
    [{ matvecs: 0 }, /matvecs must be a positive integer/],
    [{ tol: 0.1, minMatvecs: 1 }, /minMatvecs must be an integer ≥ 2/],
    [{ maxProbes: 10 }, /only apply together with tol/],
    [{ distribution: 'uniform' }, /distribution must be 'rademacher' or 'gaussian'/],
    [{ seed: Number.NaN }, /seed must be a finite number/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(
      hutchinsonTrace(A.op, options),
      (e: unknown) => e instanceof RangeError && message.test(e.message),
    );
  }
  const wrong = { dim: 3, matvec: () => new Float64Array(2) };
  await assert.rejects(
    hutchinsonTrace(wrong, { probes: 1 }),
    /op.matvec returned length 2, expected .* dim = 3/,
  );
});
