import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimEvidence, directionVerdict, negligibleVerdict } from '../../src/report/claimVerdict.js';
import { meanCurve, rmsCurveDistance } from '../../src/report/curveDistance.js';
import { jackknife } from '../../src/report/jackknife.js';

describe('claim verdicts', () => {
  it('builds the t interval and reads a direction from it', () => {
    const e = claimEvidence(1, 0.3, 10, 0.95);
    assert.ok(Math.abs(e.lower - (1 - 2.22813885198627 * 0.3)) < 1e-9);
    assert.equal(directionVerdict(e, 1), 'holds');
    assert.equal(directionVerdict(e, -1), 'does not hold');
    assert.equal(directionVerdict(claimEvidence(0.5, 0.5, 10, 0.95), 1), 'inconclusive');
    assert.equal(directionVerdict(claimEvidence(1, Number.NaN, 10, 0.95), 1), 'inconclusive');
  });

  it('calls an effect negligible only when the whole interval is inside the margin', () => {
    assert.equal(negligibleVerdict(claimEvidence(0.05, 0.05, Infinity, 0.95), 0.25), 'holds');
    assert.equal(negligibleVerdict(claimEvidence(0.2, 0.05, Infinity, 0.95), 0.25), 'inconclusive');
    assert.equal(negligibleVerdict(claimEvidence(-1, 0.1, Infinity, 0.95), 0.25), 'does not hold');
    assert.throws(() => negligibleVerdict(claimEvidence(0, 1, 3, 0.95), 0), /margin must be > 0/);
  });
});

describe('jackknife', () => {
  it("gives the mean's textbook standard error s/√n", () => {
    const x = [2.1, 3.3, 0.7, 5.2, 4.4, 1.9];
    const mean = (v: readonly number[]) => v.reduce((s, a) => s + a, 0) / v.length;
    const m = mean(x);
    const s = Math.sqrt(x.reduce((acc, v) => acc + (v - m) ** 2, 0) / (x.length - 1));
    const jk = jackknife(x, mean);
    assert.ok(Math.abs(jk.estimate - m) < 1e-12);
    assert.ok(Math.abs(jk.standardError - s / Math.sqrt(x.length)) < 1e-12);
    assert.equal(jk.degreesOfFreedom, 5);
    assert.throws(() => jackknife([1], mean), /at least 2 units/);
  });
});

describe('learning-curve distances', () => {
  it('is the RMS difference over the common epochs', () => {
    assert.equal(rmsCurveDistance([0, 0, 0, 9], [3, 4, 0]), Math.sqrt((9 + 16) / 3));
    assert.deepEqual(
      meanCurve([
        [1, 2, 3],
        [3, 4],
      ]),
      [2, 3],
    );
    assert.throws(() => rmsCurveDistance([], [1]), /at least one epoch/);
    assert.throws(() => rmsCurveDistance([Number.NaN], [1]), /epoch 1 is not finite/);
  });
});
