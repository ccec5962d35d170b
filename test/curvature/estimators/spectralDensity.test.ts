import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  gaussianSmoothedDensity,
  integrateSpectralDensity,
  spectralDensity,
} from '../../../src/curvature/estimators/index.js';
import { knownSpectrum, recordingOperator } from './knownSpectrum.js';

// n = 80, indefinite, continuous-ish spectrum in [−2, 3] plus two outliers.
const lambda = Array.from({ length: 80 }, (_, i) => (i === 0 ? 12 : i === 1 ? -6 : -2 + (5 * (i - 2)) / 77));
const A = knownSpectrum(lambda, 23);
const exactMoment = (p: number) => lambda.reduce((s, l) => s + l ** p, 0) / lambda.length;

test('weights are non-negative and sum to 1 per probe; nodes ascend inside the spectrum', async () => {
  const r = await spectralDensity(A.op, { steps: 15, probes: 4, seed: 1 });
  assert.equal(r.nodes.length, 4);
  assert.equal(r.matvecs, 60);
  assert.equal(r.dim, 80);
  r.weights.forEach((w, p) => {
    assert.equal(w.length, 15);
    assert.ok(w.every((x) => x >= 0));
    assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    const nodes = r.nodes[p]!;
    for (let j = 1; j < nodes.length; j++) assert.ok(nodes[j]! >= nodes[j - 1]!);
    assert.ok(nodes[0]! >= -6 - 1e-9 && nodes.at(-1)! <= 12 + 1e-9);
  });
});

test('each probe is a Gauss rule: Σ τⱼθⱼᵖ = vᵀAᵖv exactly for p ≤ 2·steps − 1', async () => {
  const steps = 6;
  const recorder = recordingOperator(A.op);
  const r = await spectralDensity(recorder, { steps, probes: 3, seed: 2, distribution: 'gaussian' });
  for (let p = 0; p < 3; p++) {
    // The first vector each probe applies A to is its normalized start vector v.
    let v = recorder.inputs[p * steps]!;
    const start = v;
    const nodes = r.nodes[p]!;
    const weights = r.weights[p]!;
    for (let power = 1; power <= 2 * steps - 1; power++) {
      v = A.multiply(v);
      let exact = 0;
      for (let i = 0; i < A.n; i++) exact += start[i]! * v[i]!;
      let quad = 0;
      for (let j = 0; j < nodes.length; j++) quad += weights[j]! * nodes[j]! ** power;
      // vᵀAᵖv ≤ 12ᵖ; rounding in T grows with the power.
      assert.ok(
        Math.abs(quad - exact) <= 1e-12 * 12 ** power,
        `probe ${p}, power ${power}: ${quad} vs ${exact}`,
      );
    }
  }
});

test('∫λ dμ and ∫λ² dμ match tr(A)/n and tr(A²)/n within 3 standard errors; exp within 3 SE too', async () => {
  const r = await spectralDensity(A.op, { steps: 20, probes: 30, seed: 3 });
  for (const [f, exact] of [
    [(l: number) => l, exactMoment(1)],
    [(l: number) => l * l, exactMoment(2)],
    [(l: number) => Math.exp(l / 4), lambda.reduce((s, l) => s + Math.exp(l / 4), 0) / lambda.length],
  ] as const) {
    const est = integrateSpectralDensity(r, f);
    assert.equal(est.probeValues.length, 30);
    assert.equal(est.matvecs, r.matvecs);
    assert.ok(est.standardError > 0);
    assert.ok(
      Math.abs(est.estimate - exact) <= 3 * est.standardError,
      `${est.estimate} vs ${exact} ± ${est.standardError}`,
    );
  }
});

test('few distinct eigenvalues: each probe stops at the invariant Krylov space and the masses are right', async () => {
  // 24 eigenvalues at −1 and 56 at 2 (30% / 70%).
  const two = knownSpectrum(
    Array.from({ length: 80 }, (_, i) => (i < 24 ? -1 : 2)),
    29,
  );
  const r = await spectralDensity(two.op, { steps: 10, probes: 40, seed: 4 });
  // Two Lanczos steps per probe: the second residual vanishes (breakdown) and the probe stops.
  assert.equal(r.matvecs, 40 * 2);
  for (const nodes of r.nodes) {
    assert.equal(nodes.length, 2);
    assert.ok(Math.abs(nodes[0]! + 1) < 1e-10 && Math.abs(nodes[1]! - 2) < 1e-10);
  }
  const mass = integrateSpectralDensity(r, (l) => (l < 0.5 ? 1 : 0));
  assert.ok(
    Math.abs(mass.estimate - 0.3) <= 3 * mass.standardError,
    `${mass.estimate} ± ${mass.standardError}`,
  );
  // The smoothed curve carries the same masses around −1 and 2.
  const sigma = 0.05;
  const { grid, density } = gaussianSmoothedDensity(r, { numPoints: 2001, sigma });
  let below = 0;
  let total = 0;
  for (let g = 1; g < grid.length; g++) {
    const area = ((density[g]! + density[g - 1]!) / 2) * (grid[g]! - grid[g - 1]!);
    total += area;
    if (grid[g]! < 0.5) below += area;
  }
  assert.ok(Math.abs(total - 1) < 1e-6, `total ${total}`);
  assert.ok(Math.abs(below - mass.estimate) < 1e-6);
});

test('gaussianSmoothedDensity: integrates to 1 with the default grid, has the quadrature mean, accepts a grid', async () => {
  const r = await spectralDensity(A.op, { steps: 12, probes: 3, seed: 5 });
  const { grid, density } = gaussianSmoothedDensity(r);
  assert.equal(grid.length, 1000);
  let total = 0;
  let mean = 0;
  for (let g = 1; g < grid.length; g++) {
    const h = grid[g]! - grid[g - 1]!;
    total += ((density[g]! + density[g - 1]!) / 2) * h;
    mean += ((density[g]! * grid[g]! + density[g - 1]! * grid[g - 1]!) / 2) * h;
  }
  assert.ok(Math.abs(total - 1) < 1e-4, `total ${total}`);
  const quadratureMean = integrateSpectralDensity(r, (l) => l).estimate;
  assert.ok(Math.abs(mean - quadratureMean) < 1e-3, `${mean} vs ${quadratureMean}`);
  const custom = gaussianSmoothedDensity(r, { grid: [0, 12], sigma: 0.5 });
  assert.deepEqual(Array.from(custom.grid), [0, 12]);
  // The outlier at 12 carries weight ≈ 1/80 in expectation, smeared with σ = 0.5.
  assert.ok(custom.density[1]! > 0);
});

test('invalid options throw RangeErrors naming the option', async () => {
  await assert.rejects(spectralDensity(A.op, { steps: 0 }), /steps must be a positive integer/);
  await assert.rejects(spectralDensity(A.op, { probes: 1.5 }), /probes must be a positive integer/);
  const r = await spectralDensity(A.op, { steps: 3, probes: 1 });
  assert.throws(() => gaussianSmoothedDensity(r, { grid: [0], numPoints: 5 }), /either grid or numPoints/);
  assert.throws(() => gaussianSmoothedDensity(r, { sigma: 0 }), /sigma must be a finite number > 0/);
  assert.throws(() => gaussianSmoothedDensity(r, { numPoints: 1 }), /numPoints must be an integer ≥ 2/);
  assert.ok(Number.isNaN(integrateSpectralDensity(r, (l) => l).standardError));
});

test('progress counts planned steps and ends at steps·probes even when probes stop early', async () => {
  const two = knownSpectrum([1, 1, 1, 5], 31);
  const progress: [number, number][] = [];
  const r = await spectralDensity(two.op, {
    steps: 3,
    probes: 2,
    onProgress: ({ done: d, total: t }) => progress.push([d, t]),
  });
  assert.equal(r.matvecs, 4);
  assert.deepEqual(progress.at(-1), [6, 6]);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i]![0] > progress[i - 1]![0]);
});
