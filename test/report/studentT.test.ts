import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalCdf, studentTCdf, studentTCritical } from '../../src/report/studentT.js';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);

describe('studentTCdf', () => {
  it('matches the closed forms for df = 1 (Cauchy) and df = 2', () => {
    for (const t of [-30, -3, -0.7, 0, 0.2, 1, 4.5, 100]) {
      close(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-13, `df 1, t ${t}`);
      close(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-13, `df 2, t ${t}`);
    }
  });

  it('tends to the normal CDF, whose values match erf tables', () => {
    // Φ(1) = 0.841344746068543, Φ(1.96) = 0.975002104851780, Φ(−3) = 0.00134989803163009.
    close(normalCdf(1), 0.841344746068543, 1e-14, 'Φ(1)');
    close(normalCdf(1.96), 0.97500210485178, 1e-14, 'Φ(1.96)');
    close(normalCdf(-3), 0.00134989803163009, 1e-16, 'Φ(−3)');
    close(normalCdf(0.3), 0.617911422188953, 1e-14, 'Φ(0.3)');
    close(studentTCdf(1.96, Number.POSITIVE_INFINITY), normalCdf(1.96), 0, 'df ∞');
    close(studentTCdf(1.96, 1e6), normalCdf(1.96), 1e-6, 'df 1e6');
  });

  it('rejects a non-positive df and a NaN point, naming them', () => {
    assert.throws(() => studentTCdf(1, 0), /df must be > 0/);
    assert.throws(() => studentTCdf(Number.NaN, 3), /t is NaN/);
  });
});

describe('studentTCritical', () => {
  it('matches the table of two-sided 95% and 99% critical values', () => {
    const table95: [number, number][] = [
      [1, 12.7062047361747],
      [2, 4.30265272974946],
      [5, 2.57058183563631],
      [10, 2.22813885198627],
      [30, 2.04227245630124],
      [Number.POSITIVE_INFINITY, 1.95996398454005],
    ];
    for (const [df, c] of table95) close(studentTCritical(0.95, df), c, 1e-9 * c, `t0.975(${df})`);
    close(studentTCritical(0.99, 4), 4.60409487134999, 1e-8, 't0.995(4)');
    // df = 2 inverts in closed form: c = √(2 q² / (1 − q²)) with q = level.
    close(studentTCritical(0.8, 2), Math.sqrt((2 * 0.64) / (1 - 0.64)), 1e-12, 'df 2, 80%');
  });

  it('rejects a level outside (0, 1)', () => {
    assert.throws(() => studentTCritical(1, 3), /level must be in \(0, 1\)/);
    assert.throws(() => studentTCritical(0.95, -1), /df must be > 0/);
  });
});
