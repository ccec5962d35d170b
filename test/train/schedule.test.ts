import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learningRateAt, PAPER_SCHEDULE, stepDecay } from '../../src/train/schedule.js';

test("the paper's schedule: δ until epoch 60, δ/10 until 100, δ/100 after", () => {
  const at = (epoch: number) => learningRateAt(PAPER_SCHEDULE, epoch, 0.1);
  assert.equal(at(0), 0.1);
  assert.equal(at(59), 0.1);
  assert.ok(Math.abs(at(60) - 0.01) < 1e-15);
  assert.ok(Math.abs(at(99) - 0.01) < 1e-15);
  assert.ok(Math.abs(at(100) - 0.001) < 1e-15);
  assert.ok(Math.abs(at(124) - 0.001) < 1e-15);
  assert.deepEqual(PAPER_SCHEDULE, { type: 'stepDecay', boundaries: [60, 100], factor: 0.1 });
});

test('function schedules get the epoch and the base rate; bad values are refused', () => {
  assert.equal(
    learningRateAt((epoch, base) => base / (1 + epoch), 3, 0.4),
    0.1,
  );
  assert.throws(() => learningRateAt(() => Number.NaN, 2, 0.1), /gave learning rate NaN for epoch 2/);
  assert.throws(
    () => stepDecay({ boundaries: [10, 5], factor: 0.1 }),
    /boundaries must increase, got \[10, 5\]/,
  );
  assert.throws(
    () => stepDecay({ boundaries: [1.5], factor: 0.1 }),
    /boundaries\[0\] must be a non-negative integer/,
  );
  assert.throws(
    () => stepDecay({ boundaries: [1], factor: 0 }),
    /factor must be a positive finite number, got 0/,
  );
});
