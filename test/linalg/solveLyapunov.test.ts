import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matrix } from 'mathjs';
import { solveLyapunov, solveLyapunovDense } from '../../src/linalg/solveLyapunov.js';
import { createRng } from '../../src/util/random.js';
import {
  kroneckerLyapunov,
  lyapunovResidual,
  maxAbs,
  maxAbsDiff,
  naiveMatmul,
  naiveTranspose,
  randomMatrix,
  randomSpd,
} from './helpers.js';

/** A random non-symmetric matrix with eigenvalues in the right half-plane: shift·I + G/√n. */
function randomStable(n: number, seed: number, shift = 2): Float64Array {
  const rng = createRng(seed);
  const a = randomMatrix(n, n, rng, 1 / Math.sqrt(n));
  for (let i = 0; i < n; i++) a[i * n + i] = a[i * n + i]! + shift;
  return a;
}

test('agrees with the n²×n² Kronecker solve for non-symmetric A and non-symmetric Q (n ≤ 7)', () => {
  for (const n of [1, 2, 3, 4, 5, 7]) {
    const rng = createRng(100 + n);
    const a = randomStable(n, n);
    const q = randomMatrix(n, n, rng);
    const x = solveLyapunovDense(a, q, n);
    const ref = kroneckerLyapunov(a, q, n);
    assert.ok(maxAbsDiff(x, ref) <= 1e-12 * maxAbs(ref), `n=${n}: ${maxAbsDiff(x, ref)}`);
  }
});

test('relative residual ≤ 1e-12 and an exactly symmetric X for symmetric Q (n = 80, complex spectrum)', () => {
  const n = 80;
  const a = randomStable(n, 7, 1.5);
  const q = randomSpd(n, createRng(8), 0.1);
  const x = solveLyapunovDense(a, q, n);
  const r = lyapunovResidual(a, x, q, n);
  assert.ok(r <= 1e-12, `residual ${r}`);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.equal(x[i * n + j], x[j * n + i]);
  // Positive-stable A and positive definite Q give a positive definite X: check xᵀXx > 0 on probes.
  const rng = createRng(9);
  for (let t = 0; t < 10; t++) {
    const v = randomMatrix(n, 1, rng);
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += v[i]! * x[i * n + j]! * v[j]!;
    assert.ok(s > 0);
  }
});

test('closed-form 2×2 cases', () => {
  // Diagonal A = diag(a, b): X_ij = Q_ij / (a_i + a_j).
  const x1 = solveLyapunov(
    [
      [1, 0],
      [0, 3],
    ],
    [
      [2, 1],
      [1, 6],
    ],
  );
  assert.ok(maxAbsDiff(x1.flat(), [1, 0.25, 0.25, 1]) < 1e-15);
  // Rotation generator A = [[a, −w], [w, a]], Q = I: X = I/(2a) (A + Aᵀ = 2aI and X ∝ I commutes).
  for (const [a, w] of [
    [0.5, 3],
    [2, 0.1],
  ] as const) {
    const x = solveLyapunov(
      [
        [a, -w],
        [w, a],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    );
    assert.ok(maxAbsDiff(x.flat(), [1 / (2 * a), 0, 0, 1 / (2 * a)]) < 1e-14, `a=${a} w=${w}: ${x.flat()}`);
  }
  // Damped oscillator (SGD with heavy-ball momentum on f = ½hθ²): dθ = v dt, dv = (−hθ − γv) dt + s dW.
  // With A = −drift = [[0, −1], [h, γ]] and Q = diag(0, s²): Var θ = s²/(2γh), Var v = s²/(2γ), Cov = 0.
  const h = 3;
  const g = 0.7;
  const s2 = 2;
  const xo = solveLyapunov(
    [
      [0, -1],
      [h, g],
    ],
    [
      [0, 0],
      [0, s2],
    ],
  );
  assert.ok(maxAbsDiff(xo.flat(), [s2 / (2 * g * h), 0, 0, s2 / (2 * g)]) < 1e-14, `${xo.flat()}`);
});

test('upper-triangular A (already in Schur form) and negative-stable A (the other sign convention)', () => {
  const n = 6;
  const rng = createRng(12);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = i === j ? 1 + i : rng.normal();
  const q = randomSpd(n, rng, 1);
  assert.ok(maxAbsDiff(solveLyapunovDense(a, q, n), kroneckerLyapunov(a, q, n)) < 1e-12);
  // Drift D = −A (Hurwitz): D X + X Dᵀ = −Q has the same X.
  const d = a.map((v) => -v);
  const mq = q.map((v) => -v);
  assert.ok(maxAbsDiff(solveLyapunovDense(d, mq, n), solveLyapunovDense(a, q, n)) < 1e-12);
});

test('accepts number[][], { data, size } and mathjs matrices and returns the same kind', () => {
  const rows = [
    [2, 1],
    [0, 3],
  ];
  const qRows = [
    [1, 0],
    [0, 1],
  ];
  const fromRows = solveLyapunov(rows, qRows);
  assert.ok(Array.isArray(fromRows) && Array.isArray(fromRows[0]));
  const sized = solveLyapunov({ data: Float64Array.from(rows.flat()), size: 2 }, qRows);
  assert.ok(sized.data instanceof Float64Array && sized.size === 2);
  const m = solveLyapunov(matrix(rows), matrix(qRows));
  assert.equal((m as unknown as { isMatrix: boolean }).isMatrix, true);
  const mArr = (m as unknown as { toArray(): number[][] }).toArray().flat();
  assert.ok(maxAbsDiff(fromRows.flat(), sized.data) < 1e-15);
  assert.ok(maxAbsDiff(fromRows.flat(), mArr) < 1e-15);
  // X solves the equation.
  const x = Float64Array.from(fromRows.flat());
  assert.ok(lyapunovResidual(Float64Array.from(rows.flat()), x, Float64Array.from(qRows.flat()), 2) < 1e-15);
});

test('errors: eigenvalues summing to zero, size mismatch, non-square, non-finite', () => {
  assert.throws(
    () =>
      solveLyapunov(
        [
          [1, 0],
          [0, -1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ),
    /λᵢ \+ λⱼ = 0/,
  );
  // A pure rotation: eigenvalues ±i sum to zero.
  assert.throws(
    () =>
      solveLyapunov(
        [
          [0, 1],
          [-1, 0],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ),
    /no unique solution/,
  );
  assert.throws(
    () =>
      solveLyapunov(
        [[1]],
        [
          [1, 0],
          [0, 1],
        ],
      ),
    /A is 1×1 but Q is 2×2/,
  );
  assert.throws(() => solveLyapunov([[1, 2]], [[1]]), /row 0 has length 2/);
  assert.throws(() => solveLyapunov([[Number.NaN]], [[1]]), /finite/);
});

test('the Schur route matches the symmetric-A case computed by diagonalization', () => {
  const n = 12;
  const rng = createRng(40);
  const h = randomSpd(n, rng, 0.5);
  const sigma = randomSpd(n, rng, 0.2);
  const x = solveLyapunovDense(h, sigma, n);
  // Independent: H = V Λ Vᵀ from the Kronecker solve is not needed; check X H + H X = σ² with naive products.
  const xh = naiveMatmul(x, h, n, n, n);
  const hx = naiveMatmul(h, x, n, n, n);
  const r = xh.map((v, k) => v + hx[k]! - sigma[k]!);
  assert.ok(maxAbs(r) < 1e-13 * maxAbs(sigma));
  assert.ok(maxAbsDiff(x, naiveTranspose(x, n, n)) === 0);
});
