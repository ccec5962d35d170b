import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matrix } from 'mathjs';
import {
  solveContinuousRiccati,
  solveContinuousRiccatiDense,
} from '../../src/linalg/solveContinuousRiccati.js';
import { stationaryCovariance } from '../../src/theory/stationaryCovariance.js';
import { createRng } from '../../src/util/random.js';
import {
  frobenius,
  kroneckerLyapunov,
  maxAbs,
  maxAbsDiff,
  naiveMatmul,
  naiveTranspose,
  randomMatrix,
  randomSpd,
} from './helpers.js';

/** AᵀX + XA − XBR⁻¹BᵀX + Q and the sum of its terms' norms (for a relative residual), naive float64. */
function riccatiResidual(
  a: Float64Array,
  b: Float64Array,
  q: Float64Array,
  rInv: Float64Array,
  x: Float64Array,
  n: number,
  m: number,
): { residual: number; scale: number } {
  const at = naiveTranspose(a, n, n);
  const atx = naiveMatmul(at, x, n, n, n);
  const xa = naiveMatmul(x, a, n, n, n);
  const g = naiveMatmul(naiveMatmul(b, rInv, n, m, m), naiveTranspose(b, n, m), n, m, n);
  const xgx = naiveMatmul(naiveMatmul(x, g, n, n, n), x, n, n, n);
  const res = atx.map((v, k) => v + xa[k]! - xgx[k]! + q[k]!);
  return { residual: frobenius(res), scale: frobenius(atx) + frobenius(xa) + frobenius(xgx) + frobenius(q) };
}

// solve_continuous_are(a, b, q, r) from SciPy 1.17.1 (LAPACK-backed generalized Schur method), printed
// with full float64 precision; the three problems are fixed here so the test does not need Python.
const SCIPY_CASES = [
  {
    name: 'oscillator (closed form x₁₂ = √2 − 1)',
    a: [
      [0, 1],
      [-1, 0],
    ],
    b: [[0], [1]],
    q: [
      [1, 0],
      [0, 1],
    ],
    r: [[1]],
    x: [
      [1.912290315169843, 0.4142135623730931],
      [0.4142135623730931, 1.3521934494539563],
    ],
  },
  {
    name: 'unstable 3×3, one input',
    a: [
      [1, 2, 0],
      [-1, 0.5, 1],
      [0, -2, -3],
    ],
    b: [[1], [0], [0.5]],
    q: [
      [2, 0.5, 0],
      [0.5, 1, 0],
      [0, 0, 0.25],
    ],
    r: [[0.5]],
    x: [
      [1.9048405572060452, -0.15534147707770038, -0.31100591697878516],
      [-0.15534147707770038, 3.592745841110323, 0.9428850473672066],
      [-0.31100591697878516, 0.9428850473672066, 0.3497861121548163],
    ],
  },
  {
    name: '4×4, two inputs',
    a: [
      [0.3, -1.2, 0.4, 0],
      [0.8, -0.1, 0, 1.5],
      [0, 0.6, -0.7, 0.2],
      [-0.5, 0, 1.1, 0.2],
    ],
    b: [
      [1, 0],
      [0, 0],
      [0.3, 1],
      [0, -0.4],
    ],
    q: [
      [3, 1, 0, 0.5],
      [1, 2, 0.2, 0],
      [0, 0.2, 1, 0],
      [0.5, 0, 0, 1.5],
    ],
    r: [
      [2, 0.5],
      [0.5, 1],
    ],
    x: [
      [4.667447780334051, -7.320480137739817, -7.461605436975461, -14.580166070599871],
      [-7.320480137739817, 26.260552270625126, 27.21240697462965, 51.5373557814699],
      [-7.461605436975461, 27.21240697462965, 31.72856028369604, 57.71914373620369],
      [-14.580166070599871, 51.5373557814699, 57.71914373620369, 108.00773833745501],
    ],
  },
];

test('agrees with SciPy solve_continuous_are on three fixed problems', () => {
  for (const c of SCIPY_CASES) {
    const x = solveContinuousRiccati(c.a, c.b, c.q, c.r);
    const got = x.flat();
    const want = c.x.flat();
    // SciPy's own relative residual on the 4×4 case is 1e-14·‖X‖; allow a few hundred ulps of ‖X‖.
    assert.ok(maxAbsDiff(got, want) <= 1e-12 * maxAbs(want), `${c.name}: ${maxAbsDiff(got, want)}`);
  }
});

test('scalar case: x = r(a + √(a² + b²q/r))/b², for stable and unstable a', () => {
  for (const [a, b, q, r] of [
    [1, 1, 1, 1],
    [-2, 0.5, 3, 0.7],
    [3, 2, 0.1, 5],
    [0, 1, 1, 1],
    [-1, 1, 0, 1],
  ] as const) {
    const x = solveContinuousRiccati([[a]], [[b]], [[q]], [[r]])[0]![0]!;
    const want = (r * (a + Math.sqrt(a * a + (b * b * q) / r))) / (b * b);
    assert.ok(Math.abs(x - want) <= 1e-13 * Math.max(1, Math.abs(want)), `a=${a}: ${x} vs ${want}`);
  }
});

test('with B = 0 and stable A it is the Lyapunov equation AᵀX + XA + Q = 0 (Kronecker solve)', () => {
  const n = 5;
  const rng = createRng(3);
  const a = randomMatrix(n, n, rng, 1 / Math.sqrt(n));
  for (let i = 0; i < n; i++) a[i * n + i] = a[i * n + i]! - 2;
  const q = randomSpd(n, rng, 0.1);
  const b = new Float64Array(n * 2);
  const r = Float64Array.of(1, 0, 0, 1);
  const x = solveContinuousRiccatiDense(a, b, q, r, n, 2);
  // AᵀX + XA = −Q is the Kronecker-form Lyapunov equation M X + X Mᵀ = C with M = Aᵀ, C = −Q.
  const ref = kroneckerLyapunov(
    naiveTranspose(a, n, n),
    q.map((v) => -v),
    n,
  );
  assert.ok(maxAbsDiff(x, ref) <= 1e-12 * maxAbs(ref), `${maxAbsDiff(x, ref)}`);
});

test("A = −H, B = 0, Q = σ² gives Eq. (11)'s Γ(∞) (HΓ + ΓH = σ²), as stationaryCovariance does", () => {
  const n = 6;
  const rng = createRng(21);
  const h = randomSpd(n, rng, 0.2);
  const sigma2 = randomSpd(n, rng, 0.05);
  const gamma = solveContinuousRiccatiDense(
    h.map((v) => -v),
    new Float64Array(n),
    sigma2,
    Float64Array.of(1),
    n,
    1,
  );
  const ref = stationaryCovariance({ data: h, size: n }, { data: sigma2, size: n }).data;
  assert.ok(maxAbsDiff(gamma, ref) <= 1e-12 * maxAbs(ref), `${maxAbsDiff(gamma, ref)}`);
});

test('relative residual ≤ 5e-12 (SciPy: 8e-12), symmetric X and a stable closed loop on a random 30×30 problem', () => {
  const n = 30;
  const m = 4;
  const rng = createRng(11);
  const a = randomMatrix(n, n, rng, 1.5 / Math.sqrt(n)); // eigenvalues on both sides of the axis
  const b = randomMatrix(n, m, rng);
  const q = randomSpd(n, rng, 0.5);
  const r = randomSpd(m, rng, 1);
  const x = solveContinuousRiccatiDense(a, b, q, r, n, m);
  // R⁻¹ for the residual by the Kronecker-free Gauss–Jordan below (independent of the solver's Cholesky).
  const rInv = invert(r, m);
  const { residual, scale } = riccatiResidual(a, b, q, rInv, x, n, m);
  // ‖X‖ ≈ 4e3 here; SciPy's solve_continuous_are leaves 8.3e-12 of this relative residual, this solver 1.4e-12.
  assert.ok(residual <= 5e-12 * scale, `residual ${residual} vs scale ${scale}`);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.equal(x[i * n + j], x[j * n + i]);
  // The stabilizing solution of a problem with Q ≻ 0 is positive definite: every leading minor > 0.
  for (let i = 0; i < n; i++) assert.ok(x[i * n + i]! > 0);
});

test('returns the form it was given: rows, sized data, mathjs matrix', () => {
  const c = SCIPY_CASES[1]!;
  const sized = solveContinuousRiccati(
    { data: Float64Array.from(c.a.flat()), size: 3 },
    { data: Float64Array.from(c.b.flat()), rows: 3, cols: 1 },
    c.q,
    c.r,
  );
  assert.ok(sized.data instanceof Float64Array && sized.size === 3);
  assert.ok(maxAbsDiff(sized.data, c.x.flat()) <= 1e-12 * maxAbs(c.x.flat()));
  const viaMathjs = solveContinuousRiccati(matrix(c.a), matrix(c.b), matrix(c.q), matrix(c.r));
  assert.deepEqual(viaMathjs.size(), [3, 3]);
  assert.ok(maxAbsDiff((viaMathjs.toArray() as number[][]).flat(), c.x.flat()) <= 1e-12 * maxAbs(c.x.flat()));
});

test('errors name the argument: sizes, symmetry, definiteness, finiteness, no stabilizing solution', () => {
  const a = [
    [1, 0],
    [0, 1],
  ];
  const q = [
    [1, 0],
    [0, 1],
  ];
  assert.throws(() => solveContinuousRiccati(a, [[1], [0], [0]], q, [[1]]), /B has 3 rows \(expected 2\)/);
  assert.throws(() => solveContinuousRiccati(a, [[1], [0]], [[1]], [[1]]), /Q is 1×1/);
  assert.throws(
    () =>
      solveContinuousRiccati(a, [[1], [0]], q, [
        [1, 0],
        [0, 1],
      ]),
    /R is 2×2 \(expected 1×1\)/,
  );
  assert.throws(
    () =>
      solveContinuousRiccati(
        a,
        [[1], [1]],
        [
          [1, 0.5],
          [0, 1],
        ],
        [[1]],
      ),
    /Q must be symmetric/,
  );
  assert.throws(() => solveContinuousRiccati(a, [[1], [1]], q, [[-1]]), /R must be positive definite/);
  assert.throws(
    () => solveContinuousRiccati(a, [[Number.NaN], [1]], q, [[1]]),
    /B\[0\]\[0\] must be a finite/,
  );
  assert.throws(
    () => solveContinuousRiccati(a, [[1, 2], [3]], q, [[1]]),
    /B: row 1 has length 1, expected 2/,
  );
  // B = 0 with an unstable A: nothing can stabilize it.
  assert.throws(() => solveContinuousRiccati(a, [[0], [0]], q, [[1]]), /no stabilizing solution/);
  // (A, B) not stabilizable: the second unstable mode gets no input.
  assert.throws(() => solveContinuousRiccati(a, [[1], [0]], q, [[1]]), /no stabilizing solution/);
  // Q = 0 and A with an imaginary-axis pair: the Hamiltonian has eigenvalues ±i.
  assert.throws(
    () =>
      solveContinuousRiccati(
        [
          [0, 1],
          [-1, 0],
        ],
        [[0], [0]],
        [
          [0, 0],
          [0, 0],
        ],
        [[1]],
      ),
    /no stabilizing solution/,
  );
});

/** Gauss–Jordan inverse with partial pivoting (test oracle). */
function invert(a: Float64Array, n: number): Float64Array {
  const w = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(w[r * n + c]!) > Math.abs(w[p * n + c]!)) p = r;
    for (let k = 0; k < n; k++) {
      [w[c * n + k], w[p * n + k]] = [w[p * n + k]!, w[c * n + k]!];
      [inv[c * n + k], inv[p * n + k]] = [inv[p * n + k]!, inv[c * n + k]!];
    }
    const d = w[c * n + c]!;
    for (let k = 0; k < n; k++) {
      w[c * n + k] = w[c * n + k]! / d;
      inv[c * n + k] = inv[c * n + k]! / d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = w[r * n + c]!;
      for (let k = 0; k < n; k++) {
        w[r * n + k] = w[r * n + k]! - f * w[c * n + k]!;
        inv[r * n + k] = inv[r * n + k]! - f * inv[c * n + k]!;
      }
    }
  }
  return inv;
}
