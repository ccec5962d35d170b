import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  expectedGradNormSqFourFactor,
  expectedLossFourFactor,
  expectedLossThreeFactor,
  magnitudeDifference,
} from '../../src/theory/index.js';

test('Eq. (6): lr/(4m)·Tr H', () => {
  assert.equal(expectedLossThreeFactor({ lr: 0.1, batchSize: 5, traceH: 8 }), (0.1 / 20) * 8);
  assert.equal(expectedLossThreeFactor({ lr: 1, batchSize: 1, traceH: 0 }), 0);
});

test('Eq. (12): f(X(t)) + lr/(4m)·tr σ², and it reduces to Eq. (6) when σ² = H', () => {
  assert.equal(
    expectedLossFourFactor({ lossAtFlow: 0.3, lr: 0.2, batchSize: 4, traceSigma: 10 }),
    0.3 + (0.2 / 16) * 10,
  );
  const args = { lr: 0.05, batchSize: 32, traceH: 123.4 };
  assert.equal(
    expectedLossFourFactor({
      lossAtFlow: 0,
      lr: args.lr,
      batchSize: args.batchSize,
      traceSigma: args.traceH,
    }),
    expectedLossThreeFactor(args),
  );
});

test('Eq. (13): |∇f|² + lr/(2m)·tr(σ²H)', () => {
  assert.equal(
    expectedGradNormSqFourFactor({ gradNormSqAtFlow: 0.5, lr: 0.1, batchSize: 2, traceSigmaH: 3 }),
    0.5 + (0.1 / 4) * 3,
  );
});

test('magnitudeDifference = Tr H / tr σ², the factor between Eq. (6) and Eq. (12) at a zero-loss minimum', () => {
  assert.equal(magnitudeDifference(50, 2), 25);
  const lr = 0.01;
  const batchSize = 8;
  const ratio =
    expectedLossThreeFactor({ lr, batchSize, traceH: 50 }) /
    expectedLossFourFactor({ lossAtFlow: 0, lr, batchSize, traceSigma: 2 });
  assert.ok(Math.abs(ratio - magnitudeDifference(50, 2)) < 1e-12);
});

test('bad arguments are RangeErrors that name the argument', () => {
  const base = { lr: 0.1, batchSize: 4, traceH: 1 };
  const cases: Array<[() => unknown, RegExp]> = [
    [() => expectedLossThreeFactor({ ...base, lr: 0 }), /expectedLossThreeFactor: lr must be a positive/],
    [() => expectedLossThreeFactor({ ...base, lr: -1 }), /lr must be a positive/],
    [() => expectedLossThreeFactor({ ...base, lr: Number.NaN }), /lr must be a number, got NaN/],
    [
      () => expectedLossThreeFactor({ ...base, lr: Number.POSITIVE_INFINITY }),
      /lr must be a positive finite/,
    ],
    [() => expectedLossThreeFactor({ ...base, batchSize: 0 }), /batchSize must be at least 1/],
    [() => expectedLossThreeFactor({ ...base, batchSize: -3 }), /batchSize must be at least 1/],
    [() => expectedLossThreeFactor({ ...base, batchSize: 2.5 }), /batchSize must be an integer, got 2.5/],
    [
      () => expectedLossThreeFactor({ ...base, batchSize: Number.NaN }),
      /batchSize must be a number, got NaN/,
    ],
    [() => expectedLossThreeFactor({ ...base, traceH: Number.NaN }), /traceH must be a finite number/],
    [
      () => expectedLossFourFactor({ lossAtFlow: 0, lr: 0.1, batchSize: 1, traceSigma: -1 }),
      /expectedLossFourFactor: traceSigma must be a non-negative/,
    ],
    [
      () => expectedLossFourFactor({ lossAtFlow: Number.NaN, lr: 0.1, batchSize: 1, traceSigma: 1 }),
      /lossAtFlow must be a finite number/,
    ],
    [
      () => expectedLossFourFactor({ lossAtFlow: 0, lr: 0.1, batchSize: 1.5, traceSigma: 1 }),
      /batchSize must be an integer/,
    ],
    [
      () => expectedGradNormSqFourFactor({ gradNormSqAtFlow: -1, lr: 0.1, batchSize: 1, traceSigmaH: 1 }),
      /expectedGradNormSqFourFactor: gradNormSqAtFlow must be a non-negative/,
    ],
    [
      () => expectedGradNormSqFourFactor({ gradNormSqAtFlow: 0, lr: -0.1, batchSize: 1, traceSigmaH: 1 }),
      /lr must be a positive/,
    ],
    [
      () =>
        expectedGradNormSqFourFactor({ gradNormSqAtFlow: 0, lr: 0.1, batchSize: 1, traceSigmaH: Number.NaN }),
      /traceSigmaH must be a finite/,
    ],
    [() => magnitudeDifference(1, 0), /magnitudeDifference: traceSigma must be a positive/],
    [() => magnitudeDifference(Number.NaN, 1), /traceH must be a finite/],
  ];
  for (const [fn, re] of cases)
    assert.throws(fn, (e: unknown) => e instanceof RangeError && re.test(e.message));
});
