import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import type { Estimate } from '../../src/noise/estimate.js';
import { gradientNoise, type MeasureProgress } from '../../src/noise/gradientNoise.js';
import {
  dimOf,
  exampleGradient,
  gradientCovariance,
  objectiveGradient,
  objectiveHessian,
  type RegressionProblem,
  regressionProblem,
  trace,
  traceOfProduct,
} from '../curvature/regressionFixtures.js';

before(async () => {
  await initBackend({ quiet: true });
});

/** The exact values over the problem's examples, in float64 (unbiased n/(n−1) traces). */
function exactNoise(p: RegressionProblem, regularized: boolean) {
  const n = p.x.length;
  const D = dimOf(p);
  const S = gradientCovariance(p);
  const H = objectiveHessian(p, regularized);
  const { loss, gradient } = objectiveGradient(p, regularized);
  return {
    traceSigma: (n / (n - 1)) * trace(S, D),
    traceSigmaH: (n / (n - 1)) * traceOfProduct(S, H, D),
    gradNormSq: gradient.reduce((s, g) => s + g * g, 0),
    loss,
    H,
  };
}

/** |estimate − exact| in standard errors; 4 is a generous bound for a seeded run with ≥ 30 samples. */
function zScore(e: Estimate, exact: number): number {
  assert.ok(Number.isFinite(e.standardError) && e.standardError > 0, `standard error ${e.standardError}`);
  return Math.abs(e.estimate - exact) / e.standardError;
}

for (const kind of ['linear', 'logistic'] as const) {
  test(`${kind} regression, perExample: exact tr σ², and tr(σ²H) within its standard error`, async () => {
    const p = regressionProblem(kind, { n: 14, seed: 31 });
    try {
      const exact = exactNoise(p, true);
      for (const seed of [1, 2, 3]) {
        const progress: MeasureProgress[] = [];
        const noise = await gradientNoise(p.model, p.data, {
          loss: p.loss,
          method: 'perExample',
          sigmaHProbes: 30,
          seed,
          batchSize: 5,
          onProgress: (e) => progress.push(e),
        });
        assert.equal(noise.traceSigma.method, 'perExample');
        assert.equal(noise.perExamplePath, 'batched');
        assert.ok(Math.abs(noise.traceSigma.estimate - exact.traceSigma) < 1e-5 * exact.traceSigma);
        assert.equal(noise.traceSigma.standardError, 0);
        assert.equal(noise.traceSigma.examples, 14);
        assert.ok(zScore(noise.traceSigmaH!, exact.traceSigmaH) < 4, `seed ${seed}`);
        assert.equal(noise.traceSigmaH!.matvecs, 30);
        assert.ok(Math.abs(noise.gradNormSq.estimate - exact.gradNormSq) < 1e-4 * exact.gradNormSq);
        assert.ok(Math.abs(noise.loss.estimate - exact.loss) < 1e-5 * exact.loss);
        assert.ok(
          Math.abs(noise.bSimple.estimate - exact.traceSigma / exact.gradNormSq) <
            1e-4 * noise.bSimple.estimate,
        );
        assert.deepEqual(progress.at(-1), { stage: 'traceSigmaH', done: 30, total: 30, unit: 'matvecs' });
        assert.ok(
          progress.some(
            (e) => e.stage === 'traceSigma' && e.done === 14 && e.total === 14 && e.unit === 'examples',
          ),
        );
        assert.deepEqual(progress[0], { stage: 'gradient', done: 0, total: 1, unit: 'passes' });
      }
    } finally {
      p.dispose();
    }
  });
}

test('perExample on a model the batched pass does not support runs the per-example loop, also exact', async () => {
  const p = regressionProblem('logistic', { n: 9, seed: 5 });
  // The same function as a layer of an outer model: a nested model is not a supported layer.
  const nested = tfl.sequential({ layers: [p.model] });
  try {
    const exact = exactNoise(p, true);
    const noise = await gradientNoise(nested, p.data, { loss: p.loss, sigmaHProbes: 0, batchSize: 4 });
    assert.equal(noise.perExamplePath, 'loop');
    assert.ok(Math.abs(noise.traceSigma.estimate - exact.traceSigma) < 1e-5 * exact.traceSigma);
    // Per trainable weight (kernel, then bias): the closed-form diagonal blocks of σ², summing to tr σ².
    const D = dimOf(p);
    const S = gradientCovariance(p);
    const blocks = noise.blockTraceSigma!;
    assert.equal(blocks.length, 2);
    [
      [0, p.d * p.k],
      [p.d * p.k, D],
    ].forEach(([start, end], b) => {
      let exactBlock = 0;
      for (let q = start!; q < end!; q++) exactBlock += (9 / 8) * S[q * D + q]!;
      assert.ok(Math.abs(blocks[b]! - exactBlock) < 1e-5 * exact.traceSigma, `block ${b}`);
    });
    assert.ok(Math.abs(blocks[0]! + blocks[1]! - noise.traceSigma.estimate) < 1e-12 * exact.traceSigma);
  } finally {
    p.dispose();
  }
});

test('perExample tr(σ²H): the standard error matches the sign estimator’s exact spread', async () => {
  // u = Σᵢ sᵢdᵢ/√(n−1) with Rademacher sᵢ: Var(uᵀHu) = 2·Σ_{i≠j}(dᵢᵀHdⱼ)² / (n−1)².
  const p = regressionProblem('logistic', { n: 10, seed: 5 });
  try {
    const n = 10;
    const D = dimOf(p);
    const { H } = exactNoise(p, true);
    const g = Array.from({ length: n }, (_, i) => exampleGradient(p, i));
    const mean = new Float64Array(D);
    for (const gi of g) for (let q = 0; q < D; q++) mean[q]! += gi[q]! / n;
    const d = g.map((gi) => gi.map((x, q) => x - mean[q]!));
    const Hd = d.map((di) => {
      const out = new Float64Array(D);
      for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) out[a]! += H[a * D + b]! * di[b]!;
      return out;
    });
    let sum = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) if (i !== j) sum += d[i]!.reduce((s, x, q) => s + x * Hd[j]![q]!, 0) ** 2;
    const probes = 40;
    const trueSe = Math.sqrt((2 * sum) / (n - 1) ** 2 / probes);
    // The reported SE is max(sample SE, pairwise bound): it should not run low (the sample SD of these
    // skewed draws alone often does) nor far above the truth. The bound includes the diagonal Σᵢ(dᵢᵀHdᵢ)²
    // that the exact spread leaves out, a sizeable share at n = 10 (about 1/n of ‖DᵀHD‖² in general).
    const ratios: number[] = [];
    for (const seed of [4, 5, 6, 7, 8, 9]) {
      const noise = await gradientNoise(p.model, p.data, { loss: p.loss, sigmaHProbes: probes, seed });
      ratios.push(noise.traceSigmaH!.standardError / trueSe);
    }
    assert.ok(
      Math.min(...ratios) > 0.85 && Math.max(...ratios) < 2,
      `reported / true standard error: ${ratios}`,
    );
  } finally {
    p.dispose();
  }
});

for (const replacement of [true, false]) {
  test(`minibatch ${replacement ? 'with' : 'without'} replacement: tr σ² and tr(σ²H) within their standard errors`, async () => {
    // m = 9 of n = 12: without replacement the finite-population factor (n−1)/(n−m) = 11/3 is far from 1,
    // so leaving it out (or applying it with replacement) would miss by many standard errors.
    const p = regressionProblem('logistic', { n: 12, seed: 8 });
    try {
      const exact = exactNoise(p, true);
      for (const seed of [1, 2]) {
        const noise = await gradientNoise(p.model, p.data, {
          loss: p.loss,
          method: 'minibatch',
          minibatchSize: 9,
          minibatches: 120,
          replacement,
          sigmaHProbes: 40,
          seed,
        });
        assert.ok(zScore(noise.traceSigma, exact.traceSigma) < 4, `tr σ², seed ${seed}`);
        assert.ok(noise.traceSigma.standardError < 0.15 * exact.traceSigma, 'enough batches to be sharp');
        assert.ok(zScore(noise.traceSigmaH!, exact.traceSigmaH) < 4, `tr σ²H, seed ${seed}`);
        assert.equal(noise.traceSigma.samples, 120);
        assert.equal(noise.traceSigma.examples, 120 * 9);
        assert.equal(noise.traceSigmaH!.matvecs, 40);
      }
    } finally {
      p.dispose();
    }
  });
}

test('twoBatch (McCandlish et al.): tr σ², |G|² and B_simple within their standard errors', async () => {
  const p = regressionProblem('linear', { n: 16, seed: 12, weightScale: 1 });
  try {
    const exact = exactNoise(p, true);
    for (const seed of [1, 2]) {
      const noise = await gradientNoise(p.model, p.data, {
        loss: p.loss,
        method: 'twoBatch',
        minibatchSize: 2,
        largeBatchSize: 8,
        minibatches: 150,
        sigmaHProbes: 30,
        seed,
      });
      assert.ok(zScore(noise.traceSigma, exact.traceSigma) < 4, `tr σ², seed ${seed}`);
      assert.ok(zScore(noise.twoBatch!.gradNormSq, exact.gradNormSq) < 4, `|G|², seed ${seed}`);
      assert.ok(
        zScore(noise.twoBatch!.bSimple, exact.traceSigma / exact.gradNormSq) < 4,
        `B_simple, seed ${seed}`,
      );
      assert.ok(zScore(noise.traceSigmaH!, exact.traceSigmaH) < 4, `tr σ²H, seed ${seed}`);
      assert.equal(noise.traceSigma.examples, 150 * 8);
    }
  } finally {
    p.dispose();
  }
});

test('includeRegularization changes H (and so tr σ²H) and f, not σ²', async () => {
  const p = regressionProblem('logistic', { n: 10, seed: 3, lambda: 0.4 });
  try {
    const off = exactNoise(p, false);
    const noise = await gradientNoise(p.model, p.data, {
      loss: p.loss,
      includeRegularization: false,
      sigmaHProbes: 30,
      seed: 2,
    });
    assert.ok(Math.abs(noise.traceSigma.estimate - off.traceSigma) < 1e-5 * off.traceSigma);
    assert.ok(zScore(noise.traceSigmaH!, off.traceSigmaH) < 4);
    assert.ok(Math.abs(noise.loss.estimate - off.loss) < 1e-5 * off.loss);
    // With the penalty, H gains 2λ on the kernel: tr(σ²H) gains 2λ·(kernel part of tr σ²), far outside 4 SE.
    const on = exactNoise(p, true);
    assert.ok(Math.abs(on.traceSigmaH - off.traceSigmaH) > 8 * noise.traceSigmaH!.standardError);
  } finally {
    p.dispose();
  }
});

test('no tensor growth across repeated measurements; bad options are named', async () => {
  const p = regressionProblem('logistic', { n: 8, seed: 1 });
  try {
    const run = (method: 'perExample' | 'minibatch' | 'twoBatch') =>
      gradientNoise(p.model, p.data, {
        loss: p.loss,
        method,
        minibatchSize: 2,
        minibatches: 3,
        sigmaHProbes: 2,
      });
    await run('perExample');
    const start = tf.memory().numTensors;
    for (const method of ['perExample', 'minibatch', 'twoBatch'] as const) await run(method);
    assert.equal(tf.memory().numTensors, start);
    const bad = (options: object, pattern: RegExp) =>
      assert.rejects(gradientNoise(p.model, p.data, { loss: p.loss, ...options }), pattern);
    await bad({ method: 'exact' }, /options\.method/);
    await bad(
      { method: 'twoBatch', minibatchSize: 2, largeBatchSize: 5 },
      /largeBatchSize must be a multiple/,
    );
    await bad({ method: 'minibatch', minibatches: 2, sigmaHProbes: 3 }, /sigmaHProbes \(3\) cannot exceed/);
    await bad(
      { method: 'minibatch', replacement: false, minibatchSize: 8 },
      /must be below the number of examples/,
    );
    await bad({ minibatchSize: 0 }, /minibatchSize must be an integer ≥ 1/);
  } finally {
    p.dispose();
  }
});
