import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conventionFactor, measurementInConvention } from '../../src/report/traceConvention.js';
import type { RunMeasurement } from '../../src/run/runResult.js';
import { createLinearRegression } from '../../src/solvable/linearRegression.js';
import { createRng } from '../../src/util/random.js';

const estimate = (value: number, se: number | null) => ({ estimate: value, standardError: se as number });

describe('measurementInConvention', () => {
  const m: RunMeasurement = {
    traceH: estimate(400, 20),
    traceSigma: estimate(80, 0),
    traceSigmaH: estimate(3, null),
    gradNormSq: estimate(0.5, 0.25),
    loss: estimate(0.002, 0),
    magnitudeDifference: estimate(5, 0.25),
    settings: { estimator: 'hutchinson' },
  };

  it('multiplies Tr H, tr σ² and f by n, tr(σ²H) and |∇f|² by n², and leaves Tr H/tr σ² alone', () => {
    const n = 50_000;
    const s = measurementInConvention(m, { scale: 'sum', examples: n });
    assert.deepEqual(s.traceH, estimate(400 * n, 20 * n));
    assert.deepEqual(s.traceSigma, estimate(80 * n, 0));
    assert.deepEqual(s.traceSigmaH, estimate(3 * n * n, null));
    assert.deepEqual(s.gradNormSq, estimate(0.5 * n * n, 0.25 * n * n));
    assert.deepEqual(s.loss, estimate(0.002 * n, 0));
    assert.deepEqual(s.magnitudeDifference, m.magnitudeDifference);
    assert.deepEqual(s.settings, { estimator: 'hutchinson', convention: { scale: 'sum', examples: n } });
    assert.equal(m.traceH.estimate, 400, 'input unchanged');
    assert.deepEqual(measurementInConvention(m, { scale: 'mean' }).traceH, m.traceH);
    assert.equal(conventionFactor('bSimple', { scale: 'sum', examples: 10 }), 0.1);
  });

  it('rejects a sum over a non-integer or empty set of examples', () => {
    assert.throws(
      () => measurementInConvention(m, { scale: 'sum', examples: 0 }),
      /examples must be a positive integer/,
    );
    assert.throws(() => conventionFactor('traceH', { scale: 'sum', examples: 2.5 }), /got 2\.5/);
  });
});

describe('the sum convention on an exactly solvable model', () => {
  // Linear regression, squared loss, population sampling: H = S and σ² = s²·S exactly (Tr H/tr σ² = 1/s²).
  const model = createLinearRegression({ dim: 3, noiseVariance: 4, seed: 1 });
  const n = 40;
  const samples = 3000;
  const p = model.dim;

  /** The gradient of the summed loss Σⱼ ℓ(θ; Uⱼ) over the sample that `seed` draws. */
  const summedGradient = (theta: Float64Array, seed: number) => {
    const out = new Float64Array(p);
    model.stochasticGradient(theta, n, createRng(seed), out);
    return out.map((g) => g * n);
  };

  it('has Tr of the summed loss’s Hessian = n·Tr H and tr Cov(Σⱼ∇ℓⱼ) = n·tr σ², so the ratio is unchanged', () => {
    let traceHSum = 0;
    const gradients: Float64Array[] = [];
    for (let k = 0; k < samples; k++) {
      const g0 = summedGradient(model.thetaStar, k);
      gradients.push(g0);
      // The summed loss is quadratic in θ, so a unit step gives its Hessian's column exactly (same sample).
      for (let i = 0; i < p; i++) {
        const step = Float64Array.from(model.thetaStar);
        step[i] = step[i]! + 1;
        traceHSum += (summedGradient(step, k)[i]! - g0[i]!) / samples;
      }
    }
    let traceSigmaSum = 0;
    for (let i = 0; i < p; i++) {
      const mean = gradients.reduce((s, g) => s + g[i]!, 0) / samples;
      traceSigmaSum += gradients.reduce((s, g) => s + (g[i]! - mean) ** 2, 0) / (samples - 1);
    }
    const sum = { scale: 'sum', examples: n } as const;
    // Monte-Carlo tolerances: Σⱼ|xⱼ|² over 3000 × 40 draws is within ~1% of its mean; a variance from
    // 3000 near-Gaussian draws within √(2/3000) ≈ 2.6% per coordinate, so 8% is ≥ 3 standard errors.
    const relative = (a: number, b: number) => Math.abs(a / b - 1);
    assert.ok(relative(traceHSum, model.traceH * conventionFactor('traceH', sum)) < 0.03, `${traceHSum}`);
    assert.ok(
      relative(traceSigmaSum, model.traceSigma * conventionFactor('traceSigma', sum)) < 0.08,
      `${traceSigmaSum}`,
    );
    const ratio = model.traceH / model.traceSigma;
    assert.ok(relative(traceHSum / traceSigmaSum, ratio) < 0.1, 'same convention: same ratio');
    // Mixed conventions are off by n: a summed Tr H over a per-example tr σ² reads n times the ratio.
    assert.ok(relative(traceHSum / model.traceSigma, n * ratio) < 0.03, 'mixed conventions: n × the ratio');
  });
});
