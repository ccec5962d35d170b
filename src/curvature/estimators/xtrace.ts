import { rangeBasis, thinQR } from '../../linalg/qr.js';
import { checkInteger, checkOptionKeys, checkSeed, type OptionKeys } from '../../util/options.js';
import { createRng } from '../../util/random.js';
import type { LinearOperator } from '../linearOperator.js';
import { applyOperator } from './applyOperator.js';
import { checkDistribution, fillProbe, type ProbeDistribution } from './probes.js';
import {
  meanAndStandardError,
  type ProgressCallback,
  type StochasticEstimate,
} from './stochasticEstimate.js';
import { checkOperator } from './validateOptions.js';

/** Options for {@link xtrace}. */
export interface XTraceOptions {
  /**
   * Total matvec budget m: an even number ≥ 4 with m/2 ≤ dim; default 100, or 2·dim for an operator of
   * dimension below 50 (the most it allows).
   */
  matvecs?: number;
  /** Distribution of the test vectors; default `'rademacher'`. */
  distribution?: ProbeDistribution;
  /** Seed; default 0. */
  seed?: number;
  /** Progress in matvecs: (done, matvecs). */
  onProgress?: ProgressCallback;
}

const OPTION_KEYS: OptionKeys<XTraceOptions> = {
  matvecs: true,
  distribution: true,
  seed: true,
  onProgress: true,
};

/** Result of {@link xtrace}. */
export interface XTraceResult extends StochasticEstimate {
  /**
   * How the leave-one-out bases were formed: `downdate` (one QR and a rank-one downdate per test vector,
   * the normal case) or `rank-revealing` (a pivoted QR per test vector, used when A·Ω is numerically rank
   * deficient or too ill-conditioned for the downdate, e.g. when rank(A) \< m/2).
   */
  method: 'downdate' | 'rank-revealing';
}

/** A·Ω with condition number above this is handed to the rank-revealing path (see {@link XTraceResult}). */
const MAX_CONDITION = 1e8;

/**
 * XTrace (Epperly, Tropp & Webber 2024): the exchangeable version of Hutch++, which uses every test
 * vector both in the low-rank sketch and as a Hutchinson probe, with a leave-one-out error estimate.
 *
 * @remarks
 * With budget m, draw s = m/2 test vectors Ω = [ω₁…ω_s], form Y = AΩ and, for each i, the basis
 * Q₍ᵢ₎ = orth(Y without column i). Each
 * tᵢ = tr(Q₍ᵢ₎ᵀAQ₍ᵢ₎) + ωᵢᵀ(I−Q₍ᵢ₎Q₍ᵢ₎ᵀ)A(I−Q₍ᵢ₎Q₍ᵢ₎ᵀ)ωᵢ
 * is unbiased (Q₍ᵢ₎ does not depend on ωᵢ), and the estimate is their mean. All s bases are obtained
 * from one thin QR Y = QR: removing column i removes the direction Q·sᵢ with sᵢ ∝ R⁻ᵀeᵢ, so
 * Q₍ᵢ₎Q₍ᵢ₎ᵀ = Q(I − sᵢsᵢᵀ)Qᵀ, and with Z = AQ (the other s matvecs) every tᵢ reduces to s×s algebra:
 * O(n·s²) work in total. The formulas do not assume symmetry of the products beyond what Y and Z give.
 *
 * `samples` are the tᵢ and `standardError` is their sample standard deviation over √s, the paper's
 * error estimate. The tᵢ are not independent (they share all but one test vector), so this is a
 * heuristic, not a sample-variance identity; the tests check its calibration on known spectra.
 *
 * Like Hutch++, it works for indefinite A and wins when the spectrum decays fast; at equal matvecs it is
 * typically more accurate than Hutch++. If Y is numerically rank deficient (rank(A) \< s, or
 * cond(Y) \> 1e8), each Q₍ᵢ₎ is instead an orthonormal basis of the numerical range of Y without column
 * i, found by a truncated pivoted QR in the coordinates of Q (same unbiasedness argument, O(s⁴) work).
 *
 * Cost: exactly m matvecs; memory: about 3s + 1 vectors of length dim.
 *
 * @param op - a square operator; `matvec` may be async and is always awaited.
 * @param options - matvecs, distribution, seed, onProgress.
 * @returns the estimate, the leave-one-out standard error, the matvecs spent, the s exchangeable
 *   estimates tᵢ and the method used.
 * @throws RangeError naming the option when an option is invalid.
 */
export async function xtrace(op: LinearOperator, options: XTraceOptions = {}): Promise<XTraceResult> {
  const fn = 'xtrace';
  checkOptionKeys(fn, options, OPTION_KEYS);
  const n = checkOperator(fn, op);
  if (n < 2)
    throw new RangeError(`${fn}: the operator must have dimension ≥ 2 (m/2 ≥ 2 test vectors), got ${n}`);
  const m = checkInteger(fn, 'matvecs', options.matvecs ?? 2 * Math.min(50, n), 4);
  if (m % 2 !== 0)
    throw new RangeError(`${fn}: matvecs must be even (m/2 test vectors, m/2 basis products), got ${m}`);
  const s = m / 2;
  if (s > n) throw new RangeError(`${fn}: matvecs/2 = ${s} must not exceed the operator dimension ${n}`);
  const distribution = checkDistribution(fn, options.distribution);
  const rng = createRng(checkSeed(fn, options.seed));
  let done = 0;
  const progress = () => options.onProgress?.({ stage: fn, done: ++done, total: m });

  // Ω, Y = AΩ, Q and Z = AQ, all n×s column-major.
  const omega = new Float64Array(n * s);
  const y = new Float64Array(n * s);
  for (let j = 0; j < s; j++) {
    const wj = fillProbe(omega.subarray(j * n, (j + 1) * n), rng, distribution);
    y.set(await applyOperator(fn, op, wj), j * n);
    progress();
  }
  const { q, r } = thinQR(y, n, s);
  const z = new Float64Array(n * s);
  for (let j = 0; j < s; j++) {
    z.set(await applyOperator(fn, op, q.subarray(j * n, (j + 1) * n)), j * n);
    progress();
  }

  // Small s×s matrices (column-major): H = QᵀZ, W = QᵀΩ, T = ZᵀΩ, and d_i = ωᵢᵀyᵢ.
  const h = crossProduct(q, z, n, s);
  const w = crossProduct(q, omega, n, s);
  const t = crossProduct(z, omega, n, s);
  const d = new Float64Array(s);
  for (let i = 0; i < s; i++) {
    let acc = 0;
    for (let l = i * n, e = l + n; l < e; l++) acc += omega[l]! * y[l]!;
    d[i] = acc;
  }

  const rInv = invertUpperTriangular(r, s);
  const method =
    rInv !== undefined && conditionEstimate(r, rInv, s) <= MAX_CONDITION ? 'downdate' : 'rank-revealing';
  const samples = new Float64Array(s);
  const proj = new Float64Array(s * s);
  const pw = new Float64Array(s);
  const hpw = new Float64Array(s);
  const sv = new Float64Array(s);
  for (let i = 0; i < s; i++) {
    // M = Q₍ᵢ₎Q₍ᵢ₎ᵀ in the coordinates of Q (s×s, symmetric).
    if (method === 'downdate') {
      // sᵢ ∝ row i of R⁻¹ (= column i of R⁻ᵀ), orthogonal to every column of R except the i-th.
      let norm2 = 0;
      for (let k = 0; k < s; k++) norm2 += rInv![k * s + i]! ** 2;
      const inv = 1 / Math.sqrt(norm2);
      for (let k = 0; k < s; k++) sv[k] = rInv![k * s + i]! * inv;
      for (let a = 0; a < s; a++) {
        for (let b = 0; b < s; b++) proj[b * s + a] = (a === b ? 1 : 0) - sv[a]! * sv[b]!;
      }
    } else {
      leaveOneOutProjector(r, s, i, proj);
    }
    samples[i] = exchangeableTerm(h, w, t, r, d[i]!, proj, s, i, pw, hpw);
  }
  const stats = meanAndStandardError(samples);
  return {
    estimate: stats.mean,
    standardError: stats.standardError,
    matvecs: m,
    probeValues: samples,
    method,
  };
}

/**
 * tᵢ = tr(HM) + dᵢ − tᵢᵀp − pᵀrᵢ + pᵀHp with p = M·wᵢ, where M = Q₍ᵢ₎Q₍ᵢ₎ᵀ in Q-coordinates.
 *
 * This is tr(Q₍ᵢ₎ᵀAQ₍ᵢ₎) + uᵀAu for u = (I − QMQᵀ)ωᵢ = ωᵢ − Qp, expanded with ωᵢᵀAωᵢ = dᵢ,
 * ωᵢᵀAQ = (Zᵀωᵢ)ᵀ = column i of T, QᵀAωᵢ = Qᵀyᵢ = column i of R, QᵀAQ = H.
 */
function exchangeableTerm(
  h: Float64Array,
  w: Float64Array,
  t: Float64Array,
  r: Float64Array,
  di: number,
  proj: Float64Array,
  s: number,
  i: number,
  pw: Float64Array,
  hpw: Float64Array,
): number {
  let trHM = 0;
  for (let a = 0; a < s; a++) for (let b = 0; b < s; b++) trHM += h[b * s + a]! * proj[a * s + b]!;
  const col = i * s;
  for (let a = 0; a < s; a++) {
    let acc = 0;
    for (let b = 0; b < s; b++) acc += proj[b * s + a]! * w[col + b]!;
    pw[a] = acc;
  }
  for (let a = 0; a < s; a++) {
    let acc = 0;
    for (let b = 0; b < s; b++) acc += h[b * s + a]! * pw[b]!;
    hpw[a] = acc;
  }
  let value = trHM + di;
  for (let a = 0; a < s; a++) value += -t[col + a]! * pw[a]! - pw[a]! * r[col + a]! + pw[a]! * hpw[a]!;
  return value;
}

/** M = U·Uᵀ for an orthonormal basis U of the numerical range of R without column i (s×s). */
function leaveOneOutProjector(r: Float64Array, s: number, i: number, proj: Float64Array): void {
  const without = new Float64Array(s * (s - 1));
  without.set(r.subarray(0, i * s), 0);
  without.set(r.subarray((i + 1) * s), i * s);
  // rtol 1e-10: directions of Y₍ᵢ₎ below 1e-10 of its largest are rounding noise, left to the probe term.
  const { q: u, rank } = rangeBasis(without, s, s - 1, { rtol: 1e-10 });
  proj.fill(0);
  for (let c = 0; c < rank; c++) {
    const off = c * s;
    for (let a = 0; a < s; a++) {
      const ua = u[off + a]!;
      if (ua === 0) continue;
      for (let b = 0; b < s; b++) proj[b * s + a] = proj[b * s + a]! + ua * u[off + b]!;
    }
  }
}

/** Aᵀ·B for two column-major n×s blocks: an s×s column-major matrix. */
function crossProduct(a: Float64Array, b: Float64Array, n: number, s: number): Float64Array {
  const out = new Float64Array(s * s);
  for (let j = 0; j < s; j++) {
    const bj = j * n;
    for (let i = 0; i < s; i++) {
      const ai = i * n;
      let acc = 0;
      for (let l = 0; l < n; l++) acc += a[ai + l]! * b[bj + l]!;
      out[j * s + i] = acc;
    }
  }
  return out;
}

/** Inverse of an upper triangular column-major s×s matrix, or undefined if a diagonal entry is zero. */
function invertUpperTriangular(r: Float64Array, s: number): Float64Array | undefined {
  const inv = new Float64Array(s * s);
  for (let j = 0; j < s; j++) {
    // Column j of R⁻¹ solves R·x = e_j by back substitution (x is zero below row j).
    for (let i = j; i >= 0; i--) {
      let acc = i === j ? 1 : 0;
      for (let k = i + 1; k <= j; k++) acc -= r[k * s + i]! * inv[j * s + k]!;
      const diag = r[i * s + i]!;
      if (diag === 0) return undefined;
      inv[j * s + i] = acc / diag;
    }
  }
  for (let l = 0; l < inv.length; l++) if (!Number.isFinite(inv[l]!)) return undefined;
  return inv;
}

/** ‖R‖_F·‖R⁻¹‖_F, an upper bound on the 2-norm condition number within a factor s. */
function conditionEstimate(r: Float64Array, rInv: Float64Array, s: number): number {
  let a = 0;
  let b = 0;
  for (let l = 0; l < s * s; l++) {
    a += r[l]! ** 2;
    b += rInv[l]! ** 2;
  }
  return Math.sqrt(a * b);
}
