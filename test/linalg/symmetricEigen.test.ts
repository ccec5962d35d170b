import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cholesky } from '../../src/linalg/cholesky.js';
import { householderTridiagonal } from '../../src/linalg/householderTridiagonal.js';
import { symmetricEigen, symmetryDefect } from '../../src/linalg/symmetricEigen.js';
import { createRng } from '../../src/util/random.js';
import { maxAbs, naiveMatmul, naiveTranspose, randomOrthogonal, withSpectrum } from './helpers.js';

test('Householder tridiagonalization: Qᵀ A Q is the returned tridiagonal T and Q is orthogonal', () => {
  const rng = createRng(21);
  for (const n of [1, 2, 3, 4, 5, 8, 13, 30]) {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = rng.normal();
        a[i * n + j] = v;
        a[j * n + i] = v;
      }
    }
    const { diagonal, offDiagonal, q } = householderTridiagonal(a, n, true);
    assert.ok(q);
    const qt = naiveTranspose(q, n, n);
    const t = naiveMatmul(qt, naiveMatmul(a, q, n, n, n), n, n, n);
    const scale = maxAbs(a);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const expected =
          i === j ? diagonal[i]! : j === i + 1 ? offDiagonal[i]! : i === j + 1 ? offDiagonal[j]! : 0;
        assert.ok(Math.abs(t[i * n + j]! - expected) < 1e-14 * n * scale, `n=${n} (${i},${j})`);
      }
    }
    const qtq = naiveMatmul(qt, q, n, n, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) assert.ok(Math.abs(qtq[i * n + j]! - (i === j ? 1 : 0)) < 1e-14 * n);
    // Without Q the same T comes out.
    const noQ = householderTridiagonal(a, n, false);
    assert.deepEqual(noQ.diagonal, diagonal);
    assert.deepEqual(noQ.offDiagonal, offDiagonal);
  }
});

test('symmetricEigen recovers a prescribed spectrum (with clusters and a zero) to 1e-12 relative', () => {
  const rng = createRng(22);
  for (const n of [1, 2, 6, 25, 60]) {
    const values = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 2 : 10 ** (-4 + (8 * i) / n)));
    if (n > 3) values[1] = 0;
    const q = randomOrthogonal(n, rng);
    const a = withSpectrum(q, values, n);
    const { values: got, vectors } = symmetricEigen(a, n);
    assert.ok(vectors);
    const sorted = Float64Array.from(values).sort();
    const scale = maxAbs(values);
    for (let j = 0; j < n; j++) {
      assert.ok(
        Math.abs(got[j]! - sorted[j]!) <= 1e-12 * scale * Math.max(1, Math.sqrt(n)),
        `n=${n} j=${j}: ${got[j]} vs ${sorted[j]}`,
      );
    }
    // A V = V Λ and VᵀV = I.
    const av = naiveMatmul(a, vectors, n, n, n);
    let res = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        res = Math.max(res, Math.abs(av[i * n + j]! - got[j]! * vectors[i * n + j]!));
    assert.ok(res < 1e-13 * scale * n, `residual ${res}`);
    const vtv = naiveMatmul(naiveTranspose(vectors, n, n), vectors, n, n, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) assert.ok(Math.abs(vtv[i * n + j]! - (i === j ? 1 : 0)) < 1e-13 * n);
  }
});

test('symmetricEigen without vectors returns the same eigenvalues', () => {
  const rng = createRng(23);
  const n = 20;
  const a = withSpectrum(
    randomOrthogonal(n, rng),
    Float64Array.from({ length: n }, () => rng.normal()),
    n,
  );
  const withV = symmetricEigen(a, n);
  const without = symmetricEigen(a, n, { vectors: false });
  assert.equal(without.vectors, undefined);
  for (let j = 0; j < n; j++) assert.ok(Math.abs(withV.values[j]! - without.values[j]!) < 1e-13);
});

test('symmetryDefect measures relative asymmetry; bad sizes are RangeErrors', () => {
  assert.equal(symmetryDefect(Float64Array.of(1, 2, 2, 1), 2), 0);
  assert.equal(symmetryDefect(Float64Array.of(0, 0, 0, 0), 2), 0);
  assert.equal(symmetryDefect(Float64Array.of(4, 1, 3, 1), 2), 0.5);
  assert.throws(() => symmetricEigen(new Float64Array(5), 2), RangeError);
});

test('one matrix input convention: rows, { data, size }, a mathjs matrix and (data, n) agree', async () => {
  const { matrix } = await import('mathjs');
  const rows = [
    [4, 1, 0.5],
    [1, 3, 0.2],
    [0.5, 0.2, 2],
  ];
  const data = Float64Array.from(rows.flat());
  const reference = symmetricEigen(data, 3);
  for (const input of [rows, { data, size: 3 }, matrix(rows)]) {
    const r = symmetricEigen(input, { vectors: true });
    assert.deepEqual(Array.from(r.values), Array.from(reference.values));
    assert.deepEqual(Array.from(r.vectors!), Array.from(reference.vectors!));
  }
  assert.deepEqual(Array.from(cholesky(rows)), Array.from(cholesky(data, 3)));
  assert.equal(symmetryDefect(rows), 0);
  assert.throws(() => symmetricEigen(rows, 3 as never), /the size n goes with a bare Float64Array only/);
  assert.throws(() => symmetricEigen(data, 2), /symmetricEigen: data has length 9, expected n² with n = 2/);
});
