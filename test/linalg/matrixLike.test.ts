import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matrix, sparse } from 'mathjs';
import { fromSizedMatrix, toSizedMatrix } from '../../src/linalg/matrixLike.js';

test('reads rows, sized data and mathjs matrices into a fresh row-major copy', () => {
  const rows = [
    [1, 2],
    [3, 4],
  ];
  const want = Float64Array.of(1, 2, 3, 4);
  assert.deepEqual(toSizedMatrix(rows, 'M'), { data: want, size: 2 });
  const data = Float64Array.of(1, 2, 3, 4);
  const sized = toSizedMatrix({ data, size: 2 }, 'M');
  assert.deepEqual(sized.data, want);
  assert.notEqual(sized.data, data, 'a copy, never an alias');
  assert.deepEqual(toSizedMatrix(matrix(rows), 'M').data, want);
  assert.deepEqual(toSizedMatrix(sparse(rows), 'M').data, want);
});

test('writes back in the form of the example', () => {
  const out = { data: Float64Array.of(5, 6, 7, 8), size: 2 };
  assert.deepEqual(fromSizedMatrix(out, [[0]]), [
    [5, 6],
    [7, 8],
  ]);
  assert.deepEqual(fromSizedMatrix(out, { data: new Float64Array(1), size: 1 }), out);
  const dense = fromSizedMatrix(out, matrix([[0]]));
  assert.equal(dense.storage(), 'dense');
  assert.deepEqual(dense.toArray(), [
    [5, 6],
    [7, 8],
  ]);
  assert.equal(fromSizedMatrix(out, sparse([[0]])).storage(), 'sparse');
});

test('rejects non-square, empty, non-finite and unknown inputs with the argument name', () => {
  assert.throws(() => toSizedMatrix([[1, 2]], 'H'), /H: row 0 has length 2, expected 1/);
  assert.throws(() => toSizedMatrix([], 'H'), /H: the matrix is empty/);
  assert.throws(() => toSizedMatrix([[Number.POSITIVE_INFINITY]], 'H'), /H\[0\]\[0\] must be a finite/);
  assert.throws(() => toSizedMatrix({ data: new Float64Array(3), size: 2 }, 'H'), /H: data has length 3/);
  assert.throws(
    () => toSizedMatrix({ data: Float64Array.of(1, Number.NaN, 0, 0), size: 2 }, 'H'),
    /H\[0\]\[1\]/,
  );
  assert.throws(() => toSizedMatrix(matrix([1, 2]), 'H'), /square 2-D/);
  assert.throws(() => toSizedMatrix(42 as never, 'H'), TypeError);
});
