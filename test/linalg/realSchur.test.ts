import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hessenberg } from '../../src/linalg/hessenberg.js';
import { realSchur } from '../../src/linalg/realSchur.js';
import { createRng } from '../../src/util/random.js';
import { maxAbs, naiveMatmul, naiveTranspose, randomMatrix, randomOrthogonal } from './helpers.js';

function checkOrthogonal(u: Float64Array, n: number): void {
  const utu = naiveMatmul(naiveTranspose(u, n, n), u, n, n, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) assert.ok(Math.abs(utu[i * n + j]! - (i === j ? 1 : 0)) < 1e-13 * n);
}

test('hessenberg: A = Q H Qᵀ with H exactly zero below the subdiagonal', () => {
  const rng = createRng(31);
  for (const n of [1, 2, 3, 4, 9, 24]) {
    const a = randomMatrix(n, n, rng);
    const { h, q } = hessenberg(a, n, true);
    assert.ok(q);
    checkOrthogonal(q, n);
    const back = naiveMatmul(naiveMatmul(q, h, n, n, n), naiveTranspose(q, n, n), n, n, n);
    for (let k = 0; k < n * n; k++) assert.ok(Math.abs(back[k]! - a[k]!) < 1e-13 * n * maxAbs(a));
    for (let i = 0; i < n; i++) for (let j = 0; j < i - 1; j++) assert.equal(h[i * n + j], 0);
  }
});

test('realSchur: A = U T Uᵀ, T quasi-triangular, eigenvalues of a prescribed real/complex spectrum', () => {
  const rng = createRng(32);
  for (const n of [1, 2, 3, 7, 12, 31]) {
    // Block-diagonal B with 2×2 blocks [[a, b], [−b, a]] (eigenvalues a ± ib) and 1×1 blocks, plus a
    // strictly upper-triangular part, conjugated by a random orthogonal matrix.
    const b = new Float64Array(n * n);
    const expected: Array<[number, number]> = [];
    let i = 0;
    while (i < n) {
      const re = rng.normal();
      if (i + 1 < n && rng.next() < 0.5) {
        const im = 0.2 + Math.abs(rng.normal());
        b[i * n + i] = re;
        b[i * n + i + 1] = im;
        b[(i + 1) * n + i] = -im;
        b[(i + 1) * n + i + 1] = re;
        expected.push([re, im], [re, -im]);
        i += 2;
      } else {
        b[i * n + i] = re;
        expected.push([re, 0]);
        i += 1;
      }
    }
    for (let r = 0; r < n; r++) for (let c = r + 2; c < n; c++) b[r * n + c] = 0.3 * rng.normal();
    const q = randomOrthogonal(n, rng);
    const a = naiveMatmul(naiveMatmul(q, b, n, n, n), naiveTranspose(q, n, n), n, n, n);
    const { t, u, real, imag } = realSchur(a, n);
    checkOrthogonal(u, n);
    const back = naiveMatmul(naiveMatmul(u, t, n, n, n), naiveTranspose(u, n, n), n, n, n);
    for (let k = 0; k < n * n; k++) assert.ok(Math.abs(back[k]! - a[k]!) < 1e-13 * n * maxAbs(a), `n=${n}`);
    // Structure: zeros below the subdiagonal; a non-zero subdiagonal entry starts a 2×2 block whose
    // eigenvalues are the complex pair reported.
    for (let r = 0; r < n; r++) for (let c = 0; c < r - 1; c++) assert.equal(t[r * n + c], 0);
    for (let r = 0; r + 1 < n; r++) {
      if (t[(r + 1) * n + r] !== 0) {
        assert.ok(imag[r]! > 0 && imag[r + 1]! === -imag[r]!, 'complex block reported as a pair');
        assert.ok(r + 2 >= n || t[(r + 2) * n + r + 1] === 0, 'blocks do not overlap');
        const tr = t[r * n + r]! + t[(r + 1) * n + r + 1]!;
        const det = t[r * n + r]! * t[(r + 1) * n + r + 1]! - t[r * n + r + 1]! * t[(r + 1) * n + r]!;
        assert.ok(
          Math.abs(tr / 2 - real[r]!) < 1e-12 && Math.abs(det - real[r]! ** 2 - imag[r]! ** 2) < 1e-11,
        );
      } else if (imag[r] === 0) {
        assert.ok(Math.abs(t[r * n + r]! - real[r]!) < 1e-14 * (1 + Math.abs(real[r]!)));
      }
    }
    const key = (x: [number, number]) => x[0] * 1e3 + x[1];
    const got = Array.from(real, (re, k): [number, number] => [re, imag[k]!]).sort((x, y) => key(x) - key(y));
    const want = expected.sort((x, y) => key(x) - key(y));
    for (let k = 0; k < n; k++) {
      assert.ok(
        Math.abs(got[k]![0] - want[k]![0]) < 1e-9 && Math.abs(got[k]![1] - want[k]![1]) < 1e-9,
        `n=${n}: ${got[k]} vs ${want[k]}`,
      );
    }
  }
});

test('realSchur handles already-triangular, zero and symmetric input', () => {
  const upper = Float64Array.of(1, 2, 3, 0, 4, 5, 0, 0, 6);
  const s = realSchur(upper, 3);
  assert.deepEqual(Array.from(s.real).sort(), [1, 4, 6]);
  const z = realSchur(new Float64Array(9), 3);
  assert.deepEqual(Array.from(z.real), [0, 0, 0]);
  // A symmetric matrix has a diagonal real Schur form.
  const sym = Float64Array.of(2, 1, 0, 1, 2, 1, 0, 1, 2);
  const d = realSchur(sym, 3);
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) if (r !== c) assert.ok(Math.abs(d.t[r * 3 + c]!) < 1e-14);
  const sorted = Array.from(d.real).sort((x, y) => x - y);
  for (const [k, v] of [2 - Math.SQRT2, 2, 2 + Math.SQRT2].entries())
    assert.ok(Math.abs(sorted[k]! - v) < 1e-14);
  assert.throws(() => realSchur(Float64Array.of(1, Number.NaN, 0, 1), 2), /entry \[0\]\[1\]/);
});
