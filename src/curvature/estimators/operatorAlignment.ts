import { createRng } from '../../util/random.js';
import type { LinearOperator } from '../linearOperator.js';
import { applyOperator } from './applyOperator.js';
import { checkDistribution, fillProbe, type ProbeDistribution } from './probes.js';
import {
  meanAndStandardError,
  type ProgressCallback,
  type StochasticEstimate,
} from './stochasticEstimate.js';
import { checkInteger, checkOperator, checkSeed } from './validateOptions.js';

/** Options for {@link operatorAlignment}. */
export interface AlignmentOptions {
  /** Number of probes; each costs one product with each operator. Default 50, at least 2. */
  probes?: number;
  /** Probe distribution; default `'rademacher'`. */
  distribution?: ProbeDistribution;
  /** Seed of the probe stream; default 0. */
  seed?: number;
  /** Progress in probes: (done, probes). */
  onProgress?: ProgressCallback;
}

/** Result of {@link operatorAlignment}. */
export interface AlignmentResult {
  /** tr(AB)/(‖A‖_F‖B‖_F), the cosine between A and B in the Frobenius inner product. */
  estimate: number;
  /** Delta-method standard error of `estimate` from the joint sample covariance of the three parts. */
  standardError: number;
  /** tr(AB) ≈ mean of (Av)·(Bv). */
  traceProduct: StochasticEstimate;
  /** ‖A‖_F² ≈ mean of ‖Av‖². */
  frobeniusSqA: StochasticEstimate;
  /** ‖B‖_F² ≈ mean of ‖Bv‖². */
  frobeniusSqB: StochasticEstimate;
  /** Products spent: one with A and one with B per probe. */
  matvecs: number;
}

/**
 * The alignment tr(AB)/(‖A‖_F‖B‖_F) of two symmetric operators of the same dimension — for σ² and H, how
 * far the gradient noise is shaped like the curvature (1 when σ² ∝ H, the assumption behind Eq. (6)) —
 * with its standard error.
 *
 * @remarks
 * From the same probes v (E[vvᵀ] = I): (Av)·(Bv) = vᵀABv estimates tr(AB) (A symmetric), and ‖Av‖²,
 * ‖Bv‖² estimate ‖A‖_F², ‖B‖_F². The ratio r = ā/√(b̄c̄) of the three means is consistent, with a bias
 * of order 1/probes (a ratio of noisy means), and its standard error is the delta method's
 * √(∇rᵀ Σ ∇r / k) with Σ the sample covariance of the per-probe triples (a, b, c) and
 * ∇r = (1/√(b̄c̄), −r/(2b̄), −r/(2c̄)). For A = B every probe gives a = b = c, so r = 1 with zero error.
 *
 * Cost: `probes` products with each operator (for σ² and H: probes σ²-products, three backward passes
 * each, and probes HVPs, two each).
 *
 * @param a - the first operator (e.g. σ²).
 * @param b - the second operator (e.g. H), of the same dimension.
 * @param options - probes, distribution, seed, onProgress.
 * @throws RangeError naming the option when an option is invalid or the dimensions differ.
 */
export async function operatorAlignment(
  a: LinearOperator,
  b: LinearOperator,
  options: AlignmentOptions = {},
): Promise<AlignmentResult> {
  const fn = 'operatorAlignment';
  const n = checkOperator(fn, a);
  if (checkOperator(fn, b) !== n) throw new RangeError(`${fn}: a has dim ${n} but b has dim ${b.dim}`);
  const probes = checkInteger(fn, 'probes', options.probes ?? 50, 2);
  const distribution = checkDistribution(fn, options.distribution);
  const rng = createRng(checkSeed(fn, options.seed));
  const probe = new Float64Array(n);
  const cross = new Float64Array(probes);
  const normA = new Float64Array(probes);
  const normB = new Float64Array(probes);
  for (let k = 0; k < probes; k++) {
    fillProbe(probe, rng, distribution);
    const av = await applyOperator(fn, a, probe);
    const bv = await applyOperator(fn, b, probe);
    let s = 0;
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < n; i++) {
      s += av[i]! * bv[i]!;
      sa += av[i]! * av[i]!;
      sb += bv[i]! * bv[i]!;
    }
    cross[k] = s;
    normA[k] = sa;
    normB[k] = sb;
    options.onProgress?.({ stage: 'operatorAlignment', done: k + 1, total: probes });
  }
  const part = (samples: Float64Array): StochasticEstimate => {
    const { mean, standardError } = meanAndStandardError(samples);
    return { estimate: mean, standardError, matvecs: probes, probeValues: samples };
  };
  const traceProduct = part(cross);
  const frobeniusSqA = part(normA);
  const frobeniusSqB = part(normB);
  const { estimate, standardError } = ratioWithError(cross, normA, normB);
  return { estimate, standardError, traceProduct, frobeniusSqA, frobeniusSqB, matvecs: 2 * probes };
}

/** r = mean(x)/√(mean(y)·mean(z)) and its delta-method standard error. */
function ratioWithError(
  x: Float64Array,
  y: Float64Array,
  z: Float64Array,
): { estimate: number; standardError: number } {
  const k = x.length;
  const mean = (s: Float64Array) => s.reduce((acc, v) => acc + v, 0) / k;
  const mx = mean(x);
  const my = mean(y);
  const mz = mean(z);
  const denominator = Math.sqrt(my * mz);
  if (!(denominator > 0)) return { estimate: Number.NaN, standardError: Number.NaN };
  const r = mx / denominator;
  const grad = [1 / denominator, -r / (2 * my), -r / (2 * mz)];
  const centered = [x.map((v) => v - mx), y.map((v) => v - my), z.map((v) => v - mz)];
  let variance = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let c = 0;
      for (let t = 0; t < k; t++) c += centered[i]![t]! * centered[j]![t]!;
      variance += grad[i]! * grad[j]! * (c / (k - 1));
    }
  }
  return { estimate: r, standardError: Math.sqrt(Math.max(variance, 0) / k) };
}
