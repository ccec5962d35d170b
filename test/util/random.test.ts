import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/util/random.js';

test('equal seeds give equal streams, different seeds different ones', () => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const sa = Array.from({ length: 8 }, () => a.next());
  assert.deepEqual(
    sa,
    Array.from({ length: 8 }, () => b.next()),
  );
  assert.notDeepEqual(
    sa,
    Array.from({ length: 8 }, () => c.next()),
  );
});

test('uniform and normal moments match within 5 standard errors', () => {
  const rng = createRng(7);
  const n = 200_000;
  let su = 0;
  let sn = 0;
  let sn2 = 0;
  for (let i = 0; i < n; i++) {
    su += rng.nextDouble();
    const z = rng.normal();
    sn += z;
    sn2 += z * z;
  }
  assert.ok(Math.abs(su / n - 0.5) < 5 * Math.sqrt(1 / 12 / n));
  assert.ok(Math.abs(sn / n) < 5 / Math.sqrt(n));
  assert.ok(Math.abs(sn2 / n - 1) < 5 * Math.sqrt(2 / n));
});

test('int is uniform over its range and rejects bad n', () => {
  const rng = createRng(1);
  const counts = new Array(5).fill(0);
  for (let i = 0; i < 50_000; i++) counts[rng.int(5)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 5 * Math.sqrt(10_000 * 0.8));
  assert.throws(() => rng.int(0), /n must be a positive integer/);
  assert.throws(() => createRng(Number.NaN), /seed must be a finite number/);
});
