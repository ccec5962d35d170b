import assert from 'node:assert/strict';
import { test } from 'node:test';
import { luFactor, luInverse } from '../../src/linalg/lu.js';
import { createRng } from '../../src/util/random.js';
import { maxAbs, naiveMatmul, randomMatrix, randomOrthogonal } from './helpers.js';

test('A·A⁻¹ = I and log|det A| for a matrix with known singular values', () => {
  const n = 12;
  const rng = createRng(5);
  // A = U diag(s) Vᵀ: |det A| = Πs exactly.
  const u = randomOrthogonal(n, rng);
  const v = randomOrthogonal(n, rng);
  const s = Float64Array.from({ length: n }, (_, i) => 0.5 + i / 3);
  const us = u.map((x, k) => x * s[k % n]!);
  const vt = Float64Array.from({ length: n * n }, (_, k) => v[(k % n) * n + Math.floor(k / n)]!);
  const a = naiveMatmul(us, vt, n, n, n);
  const f = luFactor(a, n);
  const logDet = s.reduce((acc, x) => acc + Math.log(x), 0);
  assert.ok(Math.abs(f.logAbsDeterminant - logDet) <= 1e-12 * n, `${f.logAbsDeterminant} vs ${logDet}`);
  const product = naiveMatmul(a, luInverse(f), n, n, n);
  for (let i = 0; i < n; i++) product[i * n + i] = product[i * n + i]! - 1;
  assert.ok(maxAbs(product) <= 1e-13, `${maxAbs(product)}`);
});

test('a singular matrix: zero relative pivot, −Infinity log-determinant, luInverse throws', () => {
  const rng = createRng(6);
  const n = 4;
  const a = randomMatrix(n, n, rng);
  for (let j = 0; j < n; j++) a[3 * n + j] = 0; // a zero row
  const f = luFactor(a, n);
  assert.equal(f.relativePivot, 0);
  assert.equal(f.logAbsDeterminant, Number.NEGATIVE_INFINITY);
  assert.throws(() => luInverse(f), /singular/);
  assert.throws(() => luFactor(new Float64Array(3), 2), /expected n² with n = 2/);
});
