import assert from 'node:assert/strict';
import { test } from 'node:test';
import { symmetricTridiagonalEigen } from '../../src/linalg/symmetricTridiagonalEigen.js';
import { createRng } from '../../src/util/random.js';

function toeplitz(n: number, a: number, b: number): { d: Float64Array; e: Float64Array } {
  return { d: new Float64Array(n).fill(a), e: new Float64Array(Math.max(n - 1, 0)).fill(b) };
}

/** max_j ‖T v_j − λ_j v_j‖ and max |VᵀV − I|. */
function residuals(d: Float64Array, e: Float64Array, values: Float64Array, V: Float64Array) {
  const n = d.length;
  let res = 0;
  let orth = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      let tv = d[i]! * V[i * n + j]!;
      if (i > 0) tv += e[i - 1]! * V[(i - 1) * n + j]!;
      if (i < n - 1) tv += e[i]! * V[(i + 1) * n + j]!;
      res = Math.max(res, Math.abs(tv - values[j]! * V[i * n + j]!));
    }
    for (let k = 0; k < n; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += V[i * n + j]! * V[i * n + k]!;
      orth = Math.max(orth, Math.abs(dot - (j === k ? 1 : 0)));
    }
  }
  return { res, orth };
}

test('tridiagonal Toeplitz (2, −1): eigenvalues 2 − 2cos(kπ/(n+1)) to 1e-12 relative', () => {
  for (const n of [1, 2, 3, 5, 10, 50, 200]) {
    const { d, e } = toeplitz(n, 2, -1);
    const { values } = symmetricTridiagonalEigen(d, e);
    for (let k = 1; k <= n; k++) {
      // 4 sin²(kπ/(2(n+1))) = 2 − 2cos(kπ/(n+1)), without cancellation for small k.
      const expected = 4 * Math.sin((k * Math.PI) / (2 * (n + 1))) ** 2;
      const got = values[k - 1]!;
      assert.ok(Math.abs(got - expected) <= 1e-12 * expected, `n=${n} k=${k}: ${got} vs ${expected}`);
    }
  }
});

test('Toeplitz eigenvectors are the discrete sines (up to sign)', () => {
  const n = 30;
  const { d, e } = toeplitz(n, 2, -1);
  const { values, vectors } = symmetricTridiagonalEigen(d, e, { vectors: true });
  assert.ok(vectors);
  const norm = Math.sqrt(2 / (n + 1));
  for (let k = 1; k <= n; k++) {
    const j = k - 1;
    let dot = 0;
    for (let i = 0; i < n; i++)
      dot += vectors[i * n + j]! * norm * Math.sin(((i + 1) * k * Math.PI) / (n + 1));
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-12, `k=${k}: |<v, sine>| = ${Math.abs(dot)}`);
  }
  const { res, orth } = residuals(d, e, values, vectors);
  assert.ok(res < 1e-13, `residual ${res}`);
  assert.ok(orth < 1e-13, `orthogonality ${orth}`);
});

test('Kac–Sylvester (Clement) matrix: integer spectrum −(n−1), −(n−3), …, n−1', () => {
  for (const n of [2, 7, 40]) {
    const d = new Float64Array(n);
    const e = new Float64Array(n - 1);
    for (let k = 1; k < n; k++) e[k - 1] = Math.sqrt(k * (n - k));
    const { values } = symmetricTridiagonalEigen(d, e);
    for (let j = 0; j < n; j++) {
      const expected = -(n - 1) + 2 * j;
      assert.ok(Math.abs(values[j]! - expected) <= 1e-12 * (n - 1), `n=${n} j=${j}: ${values[j]}`);
    }
  }
});

test('random, graded and badly scaled matrices: residual, orthogonality, trace, values ascending', () => {
  const rng = createRng(11);
  const cases: Array<{ d: Float64Array; e: Float64Array }> = [];
  for (const n of [4, 17, 64]) {
    const d = Float64Array.from({ length: n }, () => rng.normal());
    const e = Float64Array.from({ length: n - 1 }, () => rng.normal());
    cases.push({ d, e });
    // Same matrix scaled by 1e150 and 1e-150: scaling must not overflow or underflow.
    cases.push({ d: d.map((x) => x * 1e150), e: e.map((x) => x * 1e150) });
    cases.push({ d: d.map((x) => x * 1e-150), e: e.map((x) => x * 1e-150) });
  }
  // Graded: entries spanning 20 orders of magnitude; zero off-diagonals split the matrix.
  cases.push({
    d: Float64Array.from({ length: 12 }, (_, i) => 10 ** (-i * 2)),
    e: Float64Array.from({ length: 11 }, (_, i) => (i === 5 ? 0 : 10 ** (-i * 2 - 1))),
  });
  for (const { d, e } of cases) {
    const n = d.length;
    const { values, vectors } = symmetricTridiagonalEigen(d, e, { vectors: true });
    assert.ok(vectors);
    let scale = 0;
    for (const x of d) scale = Math.max(scale, Math.abs(x));
    for (const x of e) scale = Math.max(scale, Math.abs(x));
    const { res, orth } = residuals(d, e, values, vectors);
    assert.ok(res <= 1e-13 * scale * Math.sqrt(n), `n=${n}: residual ${res} (scale ${scale})`);
    assert.ok(orth <= 1e-13 * Math.sqrt(n), `n=${n}: orthogonality ${orth}`);
    let trace = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      trace += d[i]!;
      sum += values[i]!;
    }
    assert.ok(Math.abs(trace - sum) <= 1e-13 * scale * n, `trace ${trace} vs sum ${sum}`);
    for (let j = 1; j < n; j++) assert.ok(values[j - 1]! <= values[j]!, 'ascending');
    // Values-only mode gives the same values.
    const valuesOnly = symmetricTridiagonalEigen(d, e).values;
    for (let j = 0; j < n; j++) assert.ok(Math.abs(valuesOnly[j]! - values[j]!) <= 1e-13 * scale);
  }
});

test('graded diagonal matrix keeps small eigenvalues to relative accuracy', () => {
  const n = 10;
  const d = Float64Array.from({ length: n }, (_, i) => 10 ** -i);
  const e = new Float64Array(n - 1);
  const { values } = symmetricTridiagonalEigen(d, e);
  for (let j = 0; j < n; j++) assert.equal(values[j], 10 ** -(n - 1 - j));
});

test('basis option returns Q·Z (the eigenvectors of Q T Qᵀ)', () => {
  const rng = createRng(3);
  const n = 6;
  const d = Float64Array.from({ length: n }, () => rng.normal());
  const e = Float64Array.from({ length: n - 1 }, () => rng.normal());
  // A rotation Q built from a product of Givens rotations.
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  for (let r = 0; r < 10; r++) {
    const a = rng.int(n);
    const b = (a + 1 + rng.int(n - 1)) % n;
    const th = rng.normal();
    const c = Math.cos(th);
    const s = Math.sin(th);
    for (let i = 0; i < n; i++) {
      const x = Q[i * n + a]!;
      const y = Q[i * n + b]!;
      Q[i * n + a] = c * x - s * y;
      Q[i * n + b] = s * x + c * y;
    }
  }
  const plain = symmetricTridiagonalEigen(d, e, { vectors: true });
  const rotated = symmetricTridiagonalEigen(d, e, { basis: Q });
  assert.ok(plain.vectors && rotated.vectors);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let qz = 0;
      for (let k = 0; k < n; k++) qz += Q[i * n + k]! * plain.vectors[k * n + j]!;
      assert.ok(Math.abs(qz - rotated.vectors[i * n + j]!) < 1e-13);
    }
  }
});

test('edge cases and validation', () => {
  assert.deepEqual(
    symmetricTridiagonalEigen(new Float64Array(0), new Float64Array(0)).values,
    new Float64Array(0),
  );
  const one = symmetricTridiagonalEigen(Float64Array.of(-3), new Float64Array(0), { vectors: true });
  assert.deepEqual(one.values, Float64Array.of(-3));
  assert.deepEqual(one.vectors, Float64Array.of(1));
  const zero = symmetricTridiagonalEigen(new Float64Array(3), new Float64Array(2), { vectors: true });
  assert.deepEqual(zero.values, new Float64Array(3));
  const r2 = symmetricTridiagonalEigen(Float64Array.of(0, 0), Float64Array.of(1));
  assert.ok(Math.abs(r2.values[0]! + 1) < 1e-15 && Math.abs(r2.values[1]! - 1) < 1e-15);
  assert.throws(
    () => symmetricTridiagonalEigen(new Float64Array(3), new Float64Array(3)),
    /offDiagonal.*length 3/,
  );
  assert.throws(
    () => symmetricTridiagonalEigen(Float64Array.of(1, Number.NaN), Float64Array.of(0)),
    /diagonal\[1\]/,
  );
  assert.throws(
    () => symmetricTridiagonalEigen(Float64Array.of(1, 2), Float64Array.of(Number.POSITIVE_INFINITY)),
    /offDiagonal\[0\]/,
  );
});
