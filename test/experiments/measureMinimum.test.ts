import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { hutchinsonTrace } from '../../src/curvature/estimators/hutchinsonTrace.js';
import { hutchPlusPlusTrace } from '../../src/curvature/estimators/hutchPlusPlusTrace.js';
import { xtrace } from '../../src/curvature/estimators/xtrace.js';
import { type LinearOperator, matrixOperator } from '../../src/curvature/linearOperator.js';
import { measureMinimum } from '../../src/experiments/measureMinimum.js';
import { symmetricEigen } from '../../src/linalg/symmetricEigen.js';
import { resnetV1 } from '../../src/models/resnetV1.js';
import type { MeasureProgress } from '../../src/noise/gradientNoise.js';
import { createRng } from '../../src/util/random.js';
import {
  dimOf,
  gradientCovariance,
  objectiveGradient,
  objectiveHessian,
  regressionProblem,
  trace,
} from '../curvature/regressionFixtures.js';

before(async () => {
  await initBackend({ quiet: true });
});

/** |estimate − exact| within 4 standard errors, plus float32 rounding (1e-4 relative) for exact sketches. */
function agrees(e: { estimate: number; standardError: number }, exact: number): boolean {
  assert.ok(!Number.isNaN(e.standardError), 'standard error is a number');
  return Math.abs(e.estimate - exact) <= 4 * e.standardError + 1e-4 * Math.abs(exact);
}

const estimators = {
  hutchinson: (op: LinearOperator, seed: number) => hutchinsonTrace(op, { matvecs: 12, seed }),
  hutchpp: (op: LinearOperator, seed: number) => hutchPlusPlusTrace(op, { matvecs: 12, seed }),
  xtrace: (op: LinearOperator, seed: number) => xtrace(op, { matvecs: 12, seed }),
};

for (const estimator of ['hutchinson', 'hutchpp', 'xtrace'] as const) {
  test(`measureMinimum with ${estimator}: every quantity agrees with the closed form`, async () => {
    const p = regressionProblem('logistic', { n: 12, d: 4, k: 4, seed: 19 });
    try {
      const n = 12;
      const D = dimOf(p);
      const H = objectiveHessian(p, true);
      const trH = trace(H, D);
      const trS = (n / (n - 1)) * trace(gradientCovariance(p), D);
      const { loss, gradient } = objectiveGradient(p, true);
      for (const seed of [1, 2]) {
        const stages = new Set<string>();
        const m = await measureMinimum(p.model, p.data, {
          loss: p.loss,
          estimator,
          matvecs: 12,
          sigmaHProbes: 6,
          seed,
          batchSize: 5,
          onProgress: (e: MeasureProgress) => stages.add(e.stage),
        });
        // The estimator saw exactly the Hessian: the same estimator on the dense closed-form matrix, with the
        // same seed, gives the same estimate and standard error up to float32 rounding of the products.
        // Tr H's probes come from `seed` itself, as the estimators draw them.
        assert.equal(m.settings.streamSeeds.traceH, seed);
        const dense = await estimators[estimator](matrixOperator({ data: H, size: D }), seed);
        assert.ok(Math.abs(m.traceH.estimate - dense.estimate) < 1e-5 * trH);
        assert.ok(Math.abs(m.traceH.standardError - dense.standardError) < 1e-5 * trH);
        assert.equal(m.traceH.samples, dense.probeValues.length);
        // Hutchinson's standard error is calibrated on any spectrum; the sketching estimators' are
        // heuristics whose calibration docs/estimators.md discusses, so only Hutchinson is held to 4 SE here.
        if (estimator === 'hutchinson')
          assert.ok(agrees(m.traceH, trH), `seed ${seed}: ${m.traceH.estimate} vs ${trH}`);
        assert.equal(m.traceH.matvecs, 12);
        assert.ok(Math.abs(m.traceSigma.estimate - trS) < 1e-5 * trS);
        assert.ok(Math.abs(m.loss.estimate - loss) < 1e-5 * loss);
        const g2 = gradient.reduce((s, x) => s + x * x, 0);
        assert.ok(Math.abs(m.gradNormSq.estimate - g2) < 1e-4 * g2);
        assert.ok(Math.abs(m.magnitudeDifference.estimate - m.traceH.estimate / trS) < 1e-5 * (trH / trS));
        if (estimator === 'hutchinson') assert.ok(agrees(m.magnitudeDifference, trH / trS));
        // Delta method with an exact denominator: SE(ratio) = SE(Tr H) / tr σ².
        assert.ok(
          Math.abs(m.magnitudeDifference.standardError - m.traceH.standardError / m.traceSigma.estimate) <
            1e-9 + 1e-9 * m.magnitudeDifference.standardError,
        );
        assert.ok(m.traceSigmaH.standardError > 0);
        assert.deepEqual([...stages], ['gradient', 'traceSigma', 'traceSigmaH', 'traceH']);
        assert.equal(m.settings.estimator, estimator);
        assert.equal(m.settings.examples, n);
        assert.equal(m.settings.parameters, D);
        assert.equal(m.settings.loss, 'custom');
        assert.equal(m.settings.seed, seed);
      }
    } finally {
      p.dispose();
    }
  });
}

test('topEigenvalues are the largest eigenvalues of the closed-form Hessian; minibatch noise ratio SE', async () => {
  // Logistic, not linear, regression: the linear model's Hessian (xxᵀ ⊗ (2/k)I) repeats every eigenvalue
  // k times, which single-vector Lanczos reports once.
  const p = regressionProblem('logistic', { n: 10, d: 3, k: 3, seed: 4 });
  try {
    const D = dimOf(p);
    const exact = symmetricEigen(objectiveHessian(p, true), D, { vectors: false }).values;
    const top = Array.from(exact).sort((a, b) => b - a);
    const m = await measureMinimum(p.model, p.data, {
      loss: p.loss,
      matvecs: 10,
      topEigenvalues: 2,
      noise: 'minibatch',
      minibatchSize: 3,
      minibatches: 40,
      sigmaHProbes: 5,
    });
    assert.equal(m.topEigenvalues!.values.length, 2);
    m.topEigenvalues!.values.forEach((v, i) => {
      assert.ok(Math.abs(v - top[i]!) < 1e-4 * top[0]!, `λ${i + 1}`);
    });
    assert.ok(m.topEigenvalues!.matvecs > 0);
    // Independent estimates: SE² = r²·((SE_H/H)² + (SE_σ/σ)²).
    const r = m.magnitudeDifference.estimate;
    const expected =
      r *
      Math.hypot(
        m.traceH.standardError / m.traceH.estimate,
        m.traceSigma.standardError / m.traceSigma.estimate,
      );
    assert.ok(Math.abs(m.magnitudeDifference.standardError - expected) < 1e-9 * expected);
    assert.equal(m.traceSigma.method, 'minibatch');
  } finally {
    p.dispose();
  }
});

test('measureMinimum leaks no tensors and names bad options', async () => {
  const p = regressionProblem('logistic', { n: 6, seed: 2 });
  try {
    // `probes`, the deprecated name of `matvecs`, still works.
    const run = () => measureMinimum(p.model, p.data, { loss: p.loss, probes: 3, sigmaHProbes: 2 });
    await run();
    const start = tf.memory().numTensors;
    await run();
    assert.equal(tf.memory().numTensors, start);
    await assert.rejects(
      // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
      measureMinimum(p.model, p.data, { loss: p.loss, estimator: 'slq' as any }),
      /options\.estimator/,
    );
    await assert.rejects(
      measureMinimum(p.model, p.data, { loss: p.loss, estimator: 'xtrace', probes: 3 }),
      /options\.probes must be an integer ≥ 4/,
    );
    await assert.rejects(
      measureMinimum(p.model, p.data, { loss: p.loss, estimator: 'xtrace', matvecs: 3 }),
      /options\.matvecs must be an integer ≥ 4/,
    );
    await assert.rejects(
      measureMinimum(p.model, p.data, { loss: p.loss, matvecs: 3, probes: 3 }),
      /give options\.matvecs only/,
    );
    await assert.rejects(
      measureMinimum(p.model, p.data, { loss: p.loss, sigmaHProbes: 0 }),
      /options\.sigmaHProbes must be an integer ≥ 1 \(tr\(σ²H\) is part of every measurement; gradientNoise skips it with sigmaHProbes 0\)/,
    );
  } finally {
    p.dispose();
  }
});

test('bnStatistics: stale moving statistics warn; recomputed ones agree with train mode; the model is unchanged', async () => {
  const model = resnetV1({ depth: 8, inputShape: [6, 6, 3], numFilters: 4, numClasses: 3, seed: 4 });
  const rng = createRng(9);
  const n = 24;
  const images = tf.tensor4d(
    Float32Array.from({ length: n * 108 }, () => rng.normal()),
    [n, 6, 6, 3],
  );
  // Labels the network gets right in train mode (one batch of n): its own train-mode predictions.
  const labels = tf.tidy(() =>
    tf.cast(tf.argMax(model.apply(images, { training: true }) as tf.Tensor, -1), 'int32'),
  );
  const data = { images, labels: labels as tf.Tensor1D, numClasses: 3 };
  const state = () => model.nonTrainableWeights.map((w) => Array.from(w.read().dataSync()));
  try {
    // Stale statistics: a huge moving variance flattens every normalized activation.
    for (const w of model.nonTrainableWeights) {
      if (w.originalName.endsWith('/moving_variance')) w.write(tf.fill(w.shape as number[], 1e6));
    }
    const before = state();
    const options = { probes: 2, sigmaHProbes: 1, batchSize: n } as const;
    const moving = await measureMinimum(model, data, { ...options, bnStatistics: 'moving' });
    assert.equal(moving.settings.bnStatistics, 'moving');
    assert.equal(moving.batchNorm!.trainModeAccuracy, 1);
    assert.ok(moving.batchNorm!.inferenceAccuracy < 0.95);
    assert.match(moving.batchNorm!.warning!, /below train-mode accuracy 1\.000 with 'moving'/);
    assert.deepEqual(state(), before);

    const progress: MeasureProgress[] = [];
    const recomputed = await measureMinimum(model, data, { ...options, onProgress: (e) => progress.push(e) });
    assert.deepEqual(progress[0], { stage: 'bnStatistics', done: 0, total: n, unit: 'examples' });
    assert.deepEqual(progress[1], { stage: 'bnStatistics', done: n, total: n, unit: 'examples' });
    assert.deepEqual(progress.at(-1), { stage: 'traceH', done: 2, total: 2, unit: 'matvecs' });
    assert.ok(progress.some((e) => e.stage === 'bnAccuracy' && e.done === 2 && e.unit === 'passes'));
    assert.equal(recomputed.settings.bnStatistics, 'recompute');
    assert.equal(recomputed.batchNorm!.statistics, 'recompute');
    assert.equal(recomputed.batchNorm!.inferenceAccuracy, 1);
    assert.equal(recomputed.batchNorm!.warning, undefined);
    assert.deepEqual(state(), before);
    await assert.rejects(
      // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
      measureMinimum(model, data, { ...options, bnStatistics: 'exact' as any }),
      /options\.bnStatistics must be 'recompute' or 'moving', got 'exact'/,
    );
  } finally {
    model.dispose();
    tf.dispose([images, labels]);
  }
});

test('examples/measure-minimum.ts runs and prints every quantity with its standard error', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/measure-minimum.ts'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const value = (name: string) => {
    const match = new RegExp(`^${name.replace(/[()|/²]/g, '\\$&')} +(\\S+) ± (\\S+)$`, 'm').exec(r.stdout);
    assert.ok(match, `${name} in\n${r.stdout}`);
    return { estimate: Number(match[1]), standardError: Number(match[2]) };
  };
  const traceH = value('Tr H');
  const traceSigma = value('tr σ²');
  const ratio = value('Tr H / tr σ²');
  for (const e of [traceH, traceSigma, value('tr(σ²H)'), value('|∇f|²'), value('f'), ratio])
    assert.ok(Number.isFinite(e.estimate) && Number.isFinite(e.standardError));
  assert.ok(traceH.estimate > 0 && traceSigma.estimate > 0);
  assert.ok(Math.abs(ratio.estimate - traceH.estimate / traceSigma.estimate) < 1e-3 * ratio.estimate);
  assert.match(r.stdout, /^λ_max +\d/m);
});
