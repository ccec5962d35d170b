import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { regressWithMeasurementError } from '../../src/report/regressionWithMeasurementError.js';
import { createRng } from '../../src/util/random.js';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);

const x = [0.3, 1.1, 1.7, 2.2, 3.9, 4.4, 5.0];
const line = (xi: number) => [1, xi];
const mean = (v: readonly number[]) => v.reduce((s, a) => s + a, 0) / v.length;
const xbar = mean(x);
const sxx = x.reduce((s, xi) => s + (xi - xbar) ** 2, 0);

describe('regressWithMeasurementError', () => {
  it('is textbook simple regression when the measurement variances are 0', () => {
    const y = [1.2, 2.9, 3.1, 4.8, 7.7, 8.1, 10.6];
    const fit = regressWithMeasurementError(
      x.map(line),
      y,
      x.map(() => 0),
    );
    const ybar = mean(y);
    const slope = x.reduce((s, xi, i) => s + (xi - xbar) * (y[i]! - ybar), 0) / sxx;
    const intercept = ybar - slope * xbar;
    const rss = x.reduce((s, xi, i) => s + (y[i]! - intercept - slope * xi) ** 2, 0);
    const s2 = rss / (x.length - 2);
    close(fit.coefficients[1]!, slope, 1e-12, 'slope');
    close(fit.coefficients[0]!, intercept, 1e-12, 'intercept');
    close(fit.extraVariance, s2, 1e-12, 's²');
    close(fit.standardErrors[1]!, Math.sqrt(s2 / sxx), 1e-12, 'SE(slope)');
    close(fit.standardErrors[0]!, Math.sqrt(s2 * (1 / x.length + xbar ** 2 / sxx)), 1e-12, 'SE(intercept)');
    close(fit.covariance[1]!, (-s2 * xbar) / sxx, 1e-12, 'Cov(intercept, slope)');
    assert.equal(fit.degreesOfFreedom, 5);
  });

  it('propagates known variances alone when the points lie on the line (τ² = 0)', () => {
    const v = [0.1, 0.4, 0.05, 0.2, 0.3, 0.01, 0.6];
    const fit = regressWithMeasurementError(
      x.map(line),
      x.map((xi) => 2 - 0.5 * xi),
      v,
    );
    assert.equal(fit.extraVariance, 0);
    close(fit.coefficients[1]!, -0.5, 1e-12, 'slope');
    // Var(Σ cᵢyᵢ) with cᵢ = (xᵢ − x̄)/Sxx.
    const varSlope = x.reduce((s, xi, i) => s + ((xi - xbar) / sxx) ** 2 * v[i]!, 0);
    close(fit.standardErrors[1]!, Math.sqrt(varSlope), 1e-12, 'SE(slope)');
  });

  it('equals OLS with s² when every measurement variance is the same v ≤ s²', () => {
    const y = [1.2, 2.9, 3.1, 4.8, 7.7, 8.1, 10.6];
    const ols = regressWithMeasurementError(
      x.map(line),
      y,
      x.map(() => 0),
    );
    const fit = regressWithMeasurementError(
      x.map(line),
      y,
      x.map(() => 0.1),
    );
    close(fit.extraVariance, ols.extraVariance - 0.1, 1e-12, 'τ² = s² − v');
    for (let k = 0; k < 4; k++) close(fit.covariance[k]!, ols.covariance[k]!, 1e-12, `covariance[${k}]`);
  });

  it('has an unbiased τ² and standard errors that match the spread of repeated fits (Monte Carlo)', () => {
    const rng = createRng(7);
    const v = [0.1, 0.4, 0.05, 0.2, 0.3, 0.01, 0.6];
    const tau2 = 2;
    const trials = 4000;
    const slopes: number[] = [];
    let tauSum = 0;
    let seSum = 0;
    for (let t = 0; t < trials; t++) {
      const y = x.map((xi, i) => 1 + 0.7 * xi + Math.sqrt(v[i]! + tau2) * rng.normal());
      const fit = regressWithMeasurementError(x.map(line), y, v);
      slopes.push(fit.coefficients[1]!);
      tauSum += fit.extraVariance;
      seSum += fit.standardErrors[1]! ** 2;
    }
    const trueVar = x.reduce((s, xi, i) => s + ((xi - xbar) / sxx) ** 2 * (v[i]! + tau2), 0);
    const m = mean(slopes);
    const empiricalVar = slopes.reduce((s, b) => s + (b - m) ** 2, 0) / (trials - 1);
    // 4000 draws: the mean slope is within 4 SE of 0.7, the variance within ~10% (4 × √(2/4000) ≈ 9%).
    close(m, 0.7, 4 * Math.sqrt(trueVar / trials), 'mean slope');
    close(empiricalVar / trueVar, 1, 0.1, 'empirical/true variance');
    // τ̂² is truncated at 0, which biases it up a little (rare with τ² = 2 and 5 degrees of freedom).
    close(tauSum / trials / tau2, 1, 0.08, 'mean τ̂² / τ²');
    close(seSum / trials / trueVar, 1, 0.08, 'mean estimated Var / true Var');
  });

  it('names what is wrong with its input', () => {
    assert.throws(() => regressWithMeasurementError([[1], [1]], [1], [0, 0]), /y has 1/);
    assert.throws(
      () =>
        regressWithMeasurementError(
          [
            [1, 0],
            [1, 1],
          ],
          [1, 2],
          [0, 0],
        ),
      /2 observations cannot fit 2/,
    );
    assert.throws(
      () =>
        regressWithMeasurementError(
          [
            [1, 2],
            [1, 2],
            [1, 2],
          ],
          [1, 2, 3],
          [0, 0, 0],
        ),
      /collinear/,
    );
    assert.throws(
      () => regressWithMeasurementError([[1], [1]], [1, Number.NaN], [0, 0]),
      /y\[1\] must be finite/,
    );
    assert.throws(() => regressWithMeasurementError([[1], [1]], [1, 2], [0, -1]), /variances\[1\]/);
  });
});
