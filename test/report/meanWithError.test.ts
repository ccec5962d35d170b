import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPlain, formatSignificant, formatWithError } from '../../src/report/formatNumbers.js';
import { meanOverSeeds, ratioOfMeans } from '../../src/report/meanWithError.js';

const e = (estimate: number, standardError = 0) => ({ estimate, standardError });

describe('meanOverSeeds and ratioOfMeans', () => {
  it('use the spread over seeds when there are several', () => {
    const m = meanOverSeeds([e(1, 9), e(2, 9), e(6, 9)]);
    assert.equal(m.mean, 3);
    // sample variance ((−2)² + (−1)² + 3²)/2 = 7, standard error √(7/3)
    assert.ok(Math.abs(m.standardError - Math.sqrt(7 / 3)) < 1e-12);
    assert.equal(m.n, 3);
  });
  it("use the estimator's own standard error for a single seed", () => {
    assert.deepEqual(meanOverSeeds([e(5, 0.5)]), { mean: 5, standardError: 0.5, n: 1 });
    // a one-probe estimate has no standard error; results.jsonl stores its NaN as null
    const unknown = { estimate: 5, standardError: null as unknown as number };
    assert.ok(Number.isNaN(meanOverSeeds([unknown]).standardError));
    assert.ok(Number.isNaN(ratioOfMeans([unknown], [e(1, 0.1)]).standardError));
    assert.ok(Number.isNaN(meanOverSeeds([]).mean));
  });
  it('ratioOfMeans: the delta method, with the covariance across seeds', () => {
    // numerator mean 3 with standard error 1, constant denominator: se(ratio) = 1/1.
    const independent = ratioOfMeans([e(2), e(4)], [e(1), e(1)]);
    assert.equal(independent.mean, 3);
    assert.ok(Math.abs(independent.standardError - 1) < 1e-12);
    // perfectly proportional numerator and denominator: the ratio never varies, so its error is 0.
    const proportional = ratioOfMeans([e(2), e(6)], [e(1), e(3)]);
    assert.equal(proportional.mean, 2);
    assert.ok(proportional.standardError < 1e-12);
    // one seed: relative errors add in quadrature.
    const single = ratioOfMeans([e(10, 0.3)], [e(2, 0.08)]);
    assert.ok(Math.abs(single.standardError - 5 * Math.hypot(0.03, 0.04)) < 1e-12);
    assert.throws(() => ratioOfMeans([e(1)], []), /1 numerators but 0 denominators/);
  });
});

describe('number formatting', () => {
  it('rounds a mean to the precision of its standard error', () => {
    assert.equal(formatWithError(22398330, 1234), '22,398,300 ± 1,200');
    assert.equal(formatWithError(8.1234, 0.31), '8.12 ± 0.31');
    assert.equal(formatWithError(0.00012346, 0.0000061), '(1.235 ± 0.061)e-4');
    assert.equal(formatWithError(2.5, 0), '2.500');
    assert.equal(formatWithError(Number.NaN, 1), '–');
    assert.equal(formatWithError(44.59, Number.NaN), '44.59 ± ?');
    assert.equal(formatWithError(44.59, null), '44.59 ± ?');
  });
  it('prints plain and significant numbers', () => {
    assert.equal(formatPlain(100 / 0.08), '1,250');
    assert.equal(formatPlain(0.0008), '0.0008');
    assert.equal(formatSignificant(22398330, 4), '22,398,330');
    assert.equal(formatSignificant(0.00001234, 3), '1.23e-5');
  });
});
