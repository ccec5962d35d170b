import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cholesky, choleskySolve } from '../../src/linalg/cholesky.js';
import { createRng } from '../../src/util/random.js';
import { maxAbsDiff, naiveMatmul, naiveTranspose, randomSpd } from './helpers.js';

test('cholesky: L Lᵀ = A, L lower triangular, and choleskySolve solves A x = b', () => {
  const rng = createRng(3);
  for (const n of [1, 2, 7, 20]) {
    const a = randomSpd(n, rng, 0.5);
    const l = cholesky(a, n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(l[i * n + j], 0);
    assert.ok(maxAbsDiff(naiveMatmul(l, naiveTranspose(l, n, n), n, n, n), a) < 1e-13);
    const xTrue = Float64Array.from({ length: n }, () => rng.normal());
    const b = naiveMatmul(a, xTrue, n, n, 1);
    assert.ok(maxAbsDiff(choleskySolve(l, b), xTrue) < 1e-11);
  }
  assert.deepEqual(cholesky(Float64Array.of(4, 2, 2, 5), 2), Float64Array.of(2, 0, 1, 2));
});

test('cholesky rejects indefinite and malformed input', () => {
  assert.throws(() => cholesky(Float64Array.of(1, 2, 2, 1), 2), /not positive definite \(pivot 1/);
  assert.throws(() => cholesky(Float64Array.of(1, 2, 3), 2), RangeError);
  assert.throws(() => choleskySolve(Float64Array.of(1), Float64Array.of(1, 2)), RangeError);
});
