import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matmul, matmulTransposeB, transpose } from '../../src/linalg/matrixMultiply.js';
import { createRng } from '../../src/util/random.js';
import { maxAbsDiff, naiveMatmul, naiveTranspose, randomMatrix } from './helpers.js';

test('matmul, matmulTransposeB and transpose agree with the naive loops on odd and even shapes', () => {
  const rng = createRng(5);
  for (const [n, k, m] of [
    [1, 1, 1],
    [3, 5, 2],
    [4, 4, 4],
    [7, 3, 9],
    [33, 17, 35],
    [70, 9, 131],
    [5, 130, 66],
  ] as const) {
    const a = randomMatrix(n, k, rng);
    const b = randomMatrix(k, m, rng);
    assert.ok(maxAbsDiff(matmul(a, b, n, k, m), naiveMatmul(a, b, n, k, m)) < 1e-13);
    const bt = naiveTranspose(b, k, m);
    assert.ok(maxAbsDiff(matmulTransposeB(a, bt, n, k, m), naiveMatmul(a, b, n, k, m)) < 1e-13);
    assert.deepEqual(transpose(a, n, k), naiveTranspose(a, n, k));
  }
});

test('matmulTransposeB with symmetric: true gives the exactly symmetric A·Aᵀ', () => {
  const rng = createRng(6);
  for (const n of [1, 2, 5, 8, 67, 130]) {
    const a = randomMatrix(n, 6, rng);
    const c = matmulTransposeB(a, a, n, 6, n, true);
    const full = naiveMatmul(a, naiveTranspose(a, n, 6), n, 6, n);
    assert.ok(maxAbsDiff(c, full) < 1e-13);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.equal(c[i * n + j], c[j * n + i]);
  }
});

test('shape mismatches are RangeErrors', () => {
  assert.throws(() => matmul(new Float64Array(6), new Float64Array(6), 2, 3, 3), RangeError);
  assert.throws(() => matmulTransposeB(new Float64Array(4), new Float64Array(6), 2, 2, 2), RangeError);
  assert.throws(() => matmulTransposeB(new Float64Array(6), new Float64Array(9), 2, 3, 3, true), /square/);
  assert.throws(() => transpose(new Float64Array(5), 2, 3), RangeError);
});
