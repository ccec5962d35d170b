import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orthonormalizeColumns, rangeBasis, thinQR } from '../../src/linalg/qr.js';
import { createRng } from '../../src/util/random.js';

/** Entry (i, j) of a column-major rows×cols matrix. */
const at = (a: Float64Array, rows: number, i: number, j: number) => a[j * rows + i]!;

function gaussian(rows: number, cols: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: rows * cols }, () => rng.normal());
}

/** max |QᵀQ − I| for column-major Q. */
function orthogonalityError(q: Float64Array, rows: number, cols: number): number {
  let err = 0;
  for (let a = 0; a < cols; a++) {
    for (let b = 0; b < cols; b++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += at(q, rows, i, a) * at(q, rows, i, b);
      err = Math.max(err, Math.abs(s - (a === b ? 1 : 0)));
    }
  }
  return err;
}

test('thinQR: Q orthonormal, R upper triangular with non-negative diagonal, Q·R = A', () => {
  for (const [rows, cols] of [
    [1, 1],
    [5, 5],
    [40, 7],
    [100, 30],
  ] as const) {
    const a = gaussian(rows, cols, rows * 100 + cols);
    const { q, r } = thinQR(a, rows, cols);
    assert.ok(orthogonalityError(q, rows, cols) < 1e-13, `${rows}×${cols}`);
    let scale = 0;
    for (const v of a) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < cols; j++) {
      assert.ok(at(r, cols, j, j) >= 0);
      for (let i = j + 1; i < cols; i++) assert.equal(at(r, cols, i, j), 0);
      for (let i = 0; i < rows; i++) {
        let s = 0;
        for (let k = 0; k <= j; k++) s += at(q, rows, i, k) * at(r, cols, k, j);
        assert.ok(Math.abs(s - at(a, rows, i, j)) < 1e-12 * scale * cols, `${rows}×${cols} (${i},${j})`);
      }
    }
  }
});

test('thinQR: a 3×2 example against Gram–Schmidt by hand', () => {
  // Columns (3, 4, 0) and (1, 1, 1): q1 = (0.6, 0.8, 0), r11 = 5, r12 = 1.4,
  // residual (1, 1, 1) − 1.4·q1 = (0.16, −0.12, 1), r22 = √(0.0256 + 0.0144 + 1) = √1.04.
  const { q, r } = thinQR(Float64Array.from([3, 4, 0, 1, 1, 1]), 3, 2);
  const r22 = Math.sqrt(1.04);
  const expectedQ = [0.6, 0.8, 0, 0.16 / r22, -0.12 / r22, 1 / r22];
  const expectedR = [5, 0, 1.4, r22];
  for (const [i, v] of q.entries()) assert.ok(Math.abs(v - expectedQ[i]!) < 1e-15, `q[${i}] = ${v}`);
  for (const [i, v] of r.entries()) assert.ok(Math.abs(v - expectedR[i]!) < 1e-14, `r[${i}] = ${v}`);
});

test('thinQR: row-major layout gives the transposed storage of the same factors', () => {
  const rows = 9;
  const cols = 4;
  const a = gaussian(rows, cols, 3);
  const rowMajor = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) rowMajor[i * cols + j] = at(a, rows, i, j);
  const c = thinQR(a, rows, cols);
  const rm = thinQR(rowMajor, rows, cols, { layout: 'row-major' });
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) assert.equal(rm.q[i * cols + j], at(c.q, rows, i, j));
  }
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < cols; j++) assert.equal(rm.r[i * cols + j], at(c.r, cols, i, j));
  }
  assert.deepEqual(orthonormalizeColumns(a, rows, cols), c.q);
});

test('thinQR: rank-deficient input still gives an orthonormal Q, with a zero diagonal in R', () => {
  const rows = 6;
  const a = gaussian(rows, 3, 8);
  // Column 2 = column 0 + 2·column 1, and a zero column appended.
  const b = new Float64Array(rows * 4);
  b.set(a.subarray(0, 2 * rows));
  for (let i = 0; i < rows; i++) b[2 * rows + i] = a[i]! + 2 * a[rows + i]!;
  const { q, r } = thinQR(b, rows, 4);
  assert.ok(orthogonalityError(q, rows, 4) < 1e-13);
  assert.ok(Math.abs(at(r, 4, 2, 2)) < 1e-13);
  assert.equal(at(r, 4, 3, 3), 0);
});

test('rangeBasis finds the numerical rank and spans exactly the column space', () => {
  const rows = 12;
  const basis = gaussian(rows, 3, 21);
  const mix = gaussian(3, 7, 22);
  // A = basis·mix has rank 3 with 7 columns.
  const a = new Float64Array(rows * 7);
  for (let j = 0; j < 7; j++) {
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += at(basis, rows, i, k) * at(mix, 3, k, j);
      a[j * rows + i] = s;
    }
  }
  const { q, rank } = rangeBasis(a, rows, 7);
  assert.equal(rank, 3);
  assert.ok(orthogonalityError(q, rows, 3) < 1e-13);
  // Every column of A is reproduced by its projection onto span(Q).
  for (let j = 0; j < 7; j++) {
    const col = a.subarray(j * rows, (j + 1) * rows);
    const proj = new Float64Array(rows);
    for (let k = 0; k < 3; k++) {
      let c = 0;
      for (let i = 0; i < rows; i++) c += at(q, rows, i, k) * col[i]!;
      for (let i = 0; i < rows; i++) proj[i] = proj[i]! + c * at(q, rows, i, k);
    }
    for (let i = 0; i < rows; i++) assert.ok(Math.abs(proj[i]! - col[i]!) < 1e-12);
  }
  assert.equal(rangeBasis(new Float64Array(6), 3, 2).rank, 0);
  assert.equal(rangeBasis(gaussian(4, 9, 1), 4, 9).rank, 4);
});

test('invalid shapes throw RangeErrors', () => {
  assert.throws(() => thinQR(new Float64Array(6), 2, 3), /need rows ≥ cols/);
  assert.throws(() => thinQR(new Float64Array(5), 2, 3), /expected rows·cols = 6/);
  assert.throws(() => rangeBasis(new Float64Array(4), 2, 2, { rtol: 1 }), /rtol must be in \[0, 1\)/);
  assert.throws(
    () => thinQR(new Float64Array(4), 2, 2, { layout: 'diagonal' as never }),
    /layout must be 'column-major' or 'row-major'/,
  );
});
