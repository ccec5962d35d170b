import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matrix } from 'mathjs';
import { solveLyapunovDense } from '../../src/linalg/solveLyapunov.js';
import {
  discreteStationaryCovariance,
  stationaryCovariance,
  transientCovariance,
} from '../../src/theory/index.js';
import { createRng } from '../../src/util/random.js';
import {
  lyapunovResidual,
  maxAbs,
  maxAbsDiff,
  naiveMatmul,
  randomOrthogonal,
  randomSpd,
  withSpectrum,
} from '../linalg/helpers.js';

const sized = (data: Float64Array, size: number) => ({ data, size });

test('stationaryCovariance: 2×2 closed forms (diagonal H, and a rotated one)', () => {
  const [a, b, s11, s12, s22] = [0.5, 4, 2, 0.7, 3];
  const g = stationaryCovariance(
    [
      [a, 0],
      [0, b],
    ],
    [
      [s11, s12],
      [s12, s22],
    ],
  );
  const want = [s11 / (2 * a), s12 / (a + b), s12 / (a + b), s22 / (2 * b)];
  assert.ok(maxAbsDiff(g.flat(), want) < 1e-15);
  // Rotate both by R: Γ rotates the same way.
  const th = 0.3;
  const r = Float64Array.of(Math.cos(th), -Math.sin(th), Math.sin(th), Math.cos(th));
  const rt = Float64Array.of(r[0]!, r[2]!, r[1]!, r[3]!);
  const rot = (m: Float64Array) => naiveMatmul(naiveMatmul(r, m, 2, 2, 2), rt, 2, 2, 2);
  const hR = rot(Float64Array.of(a, 0, 0, b));
  const sR = rot(Float64Array.of(s11, s12, s12, s22));
  const gR = stationaryCovariance(sized(hR, 2), sized(sR, 2));
  assert.ok(maxAbsDiff(gR.data, rot(Float64Array.from(want))) < 1e-14);
});

test('σ² = H (Assumption 2) gives Γ = I/2 — the cov(z) = δ/(2m)·I of Jastrzębski et al.', () => {
  const n = 15;
  const h = withSpectrum(
    randomOrthogonal(n, createRng(1)),
    Array.from({ length: n }, (_, i) => 0.1 + i),
    n,
  );
  const g = stationaryCovariance(sized(h, n), sized(h, n));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) assert.ok(Math.abs(g.data[i * n + j]! - (i === j ? 0.5 : 0)) < 1e-13);
});

test('stationaryCovariance: residual ≤ 1e-12, symmetric, trace identity, agrees with the Schur route', () => {
  const n = 60;
  const rng = createRng(2);
  const h = randomSpd(n, rng, 0.3);
  const s = randomSpd(n, rng, 0.05);
  const g = stationaryCovariance(sized(h, n), sized(s, n)).data;
  assert.ok(lyapunovResidual(h, g, s, n) <= 1e-12);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.equal(g[i * n + j], g[j * n + i]);
  // tr(HΓ) = ½ tr σ² (the step from Eq. 11 to Eq. 12).
  let trHG = 0;
  let trS = 0;
  const hg = naiveMatmul(h, g, n, n, n);
  for (let i = 0; i < n; i++) {
    trHG += hg[i * n + i]!;
    trS += s[i * n + i]!;
  }
  assert.ok(Math.abs(trHG - trS / 2) < 1e-12 * trS);
  const viaSchur = solveLyapunovDense(h, s, n);
  assert.ok(maxAbsDiff(g, viaSchur) <= 1e-12 * maxAbs(g), `routes differ by ${maxAbsDiff(g, viaSchur)}`);
});

test('stationaryCovariance returns the input kind (rows, sized, mathjs)', () => {
  const h = [
    [2, 1],
    [1, 2],
  ];
  const s = [
    [1, 0],
    [0, 1],
  ];
  const rows = stationaryCovariance(h, s);
  assert.ok(Array.isArray(rows));
  const m = stationaryCovariance(matrix(h), matrix(s));
  assert.equal(m.storage(), 'dense');
  assert.ok(maxAbsDiff((m.toArray() as number[][]).flat(), rows.flat()) < 1e-16);
  // H = [[2,1],[1,2]], σ² = I: Γ = H⁻¹/2 (H commutes with Γ).
  assert.ok(maxAbsDiff(rows.flat(), [1 / 3, -1 / 6, -1 / 6, 1 / 3]) < 1e-15);
});

test('stationaryCovariance errors say which: non-symmetric H, saddle / flat direction, size mismatch', () => {
  const s = [
    [1, 0],
    [0, 1],
  ];
  assert.throws(
    () =>
      stationaryCovariance(
        [
          [1, 2],
          [0, 1],
        ],
        s,
      ),
    /H is not symmetric.*solveLyapunov/,
  );
  assert.throws(
    () =>
      stationaryCovariance(
        [
          [1, 0],
          [0, -2],
        ],
        s,
      ),
    (e: unknown) =>
      e instanceof RangeError &&
      /non-positive eigenvalue \(λ_min = -2\.000e\+0\).*saddle.*Result 3\.2/.test(e.message),
  );
  assert.throws(
    () =>
      stationaryCovariance(
        [
          [1, 0],
          [0, 0],
        ],
        s,
      ),
    /non-positive eigenvalue/,
  );
  assert.throws(
    () =>
      stationaryCovariance(
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 1],
          [0, 1],
        ],
      ),
    /sigma2 is not symmetric/,
  );
  assert.throws(() => stationaryCovariance([[1]], s), /H is 1×1 but sigma2 is 2×2/);
  // Tiny asymmetry (float32 round-off) is accepted and symmetrized.
  const g = stationaryCovariance(
    [
      [1, 1e-9],
      [0, 1],
    ],
    s,
  );
  assert.equal(g[0]![1], g[1]![0]);
});

test('discreteStationaryCovariance solves the Stein equation; (m/δ)Σ → Γ(∞) with an O(δ) gap', () => {
  const n = 8;
  const rng = createRng(4);
  const h = withSpectrum(
    randomOrthogonal(n, rng),
    Array.from({ length: n }, (_, i) => 0.2 + 0.3 * i),
    n,
  );
  const s = randomSpd(n, rng, 0.1);
  const lr = 0.05;
  const m = 4;
  const sigma = discreteStationaryCovariance(sized(h, n), sized(s, n), lr, m).data;
  // Σ = (I − δH) Σ (I − δH) + (δ²/m) σ².
  const a = h.map((v, k) => (k % (n + 1) === 0 ? 1 : 0) - lr * v);
  const rhs = naiveMatmul(naiveMatmul(a, sigma, n, n, n), a, n, n, n).map(
    (v, k) => v + ((lr * lr) / m) * s[k]!,
  );
  assert.ok(maxAbsDiff(sigma, rhs) < 1e-13 * maxAbs(sigma));
  // Independent check: iterate the recursion from 0 until it converges.
  let it = new Float64Array(n * n);
  for (let k = 0; k < 4000; k++) {
    it = naiveMatmul(naiveMatmul(a, it, n, n, n), a, n, n, n).map((v, idx) => v + ((lr * lr) / m) * s[idx]!);
  }
  assert.ok(maxAbsDiff(sigma, it) < 1e-12 * maxAbs(sigma));
  // 1-D closed form: (m/δ)Σ = σ²/(2λ − δλ²) versus Γ = σ²/(2λ).
  for (const d of [0.5, 0.1, 0.01]) {
    const one = discreteStationaryCovariance([[2]], [[3]], d, 5)[0]![0]!;
    assert.ok(Math.abs((5 / d) * one - 3 / (4 - 4 * d)) < 1e-14);
  }
  // The gap shrinks linearly: ‖(m/δ)Σ − Γ‖ / δ is roughly constant as δ → 0.
  const gamma = stationaryCovariance(sized(h, n), sized(s, n)).data;
  const gap = (d: number) =>
    maxAbsDiff(
      discreteStationaryCovariance(sized(h, n), sized(s, n), d, m).data.map((v) => (m / d) * v),
      gamma,
    ) / d;
  const g1 = gap(0.01);
  const g2 = gap(0.001);
  assert.ok(g1 > 0 && Math.abs(g1 / g2 - 1) < 0.05, `gap/δ: ${g1} vs ${g2}`);
});

test('discreteStationaryCovariance validates lr, batchSize and stability', () => {
  const h = [
    [1, 0],
    [0, 3],
  ];
  const s = [
    [1, 0],
    [0, 1],
  ];
  assert.throws(() => discreteStationaryCovariance(h, s, 0, 1), /lr must be a positive/);
  assert.throws(() => discreteStationaryCovariance(h, s, 0.1, 0.5), /batchSize must be an integer/);
  assert.throws(() => discreteStationaryCovariance(h, s, 0.1, 0), /batchSize must be at least 1/);
  assert.throws(() => discreteStationaryCovariance(h, s, 0.7, 1), /lr·λ_max = 2\.100 ≥ 2/);
  assert.throws(
    () =>
      discreteStationaryCovariance(
        [
          [1, 0],
          [0, -1],
        ],
        s,
        0.1,
        1,
      ),
    /non-positive eigenvalue/,
  );
});

test('transientCovariance: Γ(0) = 0, Γ(t) → Γ(∞), Γ′ = σ² − HΓ − ΓH, and the saddle grows like e^{2|λ|t}', () => {
  const n = 6;
  const rng = createRng(5);
  const h = withSpectrum(randomOrthogonal(n, rng), [0.3, 0.5, 1, 1, 2, 4], n);
  const s = randomSpd(n, rng, 0.1);
  assert.equal(maxAbs(transientCovariance(sized(h, n), sized(s, n), 0).data), 0);
  const inf = stationaryCovariance(sized(h, n), sized(s, n)).data;
  assert.ok(maxAbsDiff(transientCovariance(sized(h, n), sized(s, n), 200).data, inf) < 1e-13 * maxAbs(inf));
  // Central difference of Γ(t) at t = 0.7 against the ODE right-hand side.
  const t = 0.7;
  const eps = 1e-4;
  const gp = transientCovariance(sized(h, n), sized(s, n), t + eps).data;
  const gm = transientCovariance(sized(h, n), sized(s, n), t - eps).data;
  const g = transientCovariance(sized(h, n), sized(s, n), t).data;
  const hg = naiveMatmul(h, g, n, n, n);
  const gh = naiveMatmul(g, h, n, n, n);
  for (let k = 0; k < n * n; k++) {
    const deriv = (gp[k]! - gm[k]!) / (2 * eps);
    assert.ok(Math.abs(deriv - (s[k]! - hg[k]! - gh[k]!)) < 1e-7, `entry ${k}`);
  }
  // 1-D saddle λ = −1, σ² = 2: Γ(t) = 2(e^{2t} − 1)/2; a flat direction (λ = 0) gives σ²t.
  const saddle = transientCovariance([[-1]], [[2]], 3)[0]![0]!;
  assert.ok(Math.abs(saddle - Math.expm1(6)) < 1e-12 * saddle);
  assert.equal(transientCovariance([[0]], [[2]], 3)[0]![0], 6);
  assert.throws(() => transientCovariance([[1]], [[1]], -1), /t must be a non-negative/);
  assert.throws(() => transientCovariance([[1]], [[1]], Number.NaN), /t must be a number/);
});
