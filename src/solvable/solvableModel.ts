import type { Rng } from '../util/random.js';

/** How minibatches are drawn: fresh examples from the population, or with replacement from a fixed sample. */
export type SamplingMode = 'population' | 'finite-sample';

/**
 * A model whose loss f, minimizer θ*, Hessian H and per-example gradient covariance σ² at θ* are known
 * exactly (closed form or quadrature to float64 accuracy), with a minibatch gradient sampler for SGD.
 *
 * @remarks
 * f is the risk being minimized: the population risk in `'population'` mode, the empirical risk of the
 * fixed sample in `'finite-sample'` mode (so θ*, H and σ² are those of the empirical distribution and
 * sampling with replacement is exactly i.i.d. from it). σ² = Var[∇ℓ(θ*; U)] is the covariance of one
 * example's gradient, as in Wang (2019) and Eq. (12); a minibatch mean of m examples has covariance σ²/m.
 * Matrices are p×p row-major Float64Arrays.
 */
export interface SolvableModel {
  /** Short identifier, e.g. `linear-regression`. */
  readonly name: string;
  /** One-line description with the parameters that matter (noise level, misspecification). */
  readonly description: string;
  /** Number of parameters p. */
  readonly dim: number;
  /** Where minibatches come from. */
  readonly sampling: SamplingMode;
  /** The sample size n in `'finite-sample'` mode. */
  readonly sampleSize?: number;
  /** The minimizer θ* of f. */
  readonly thetaStar: Float64Array;
  /** f(θ*). */
  readonly minimumLoss: number;
  /** H = ∇²f(θ*). */
  readonly hessian: Float64Array;
  /** σ² = Var[∇ℓ(θ*; U)], the per-example gradient covariance at θ*. */
  readonly gradientCovariance: Float64Array;
  /** Tr H. */
  readonly traceH: number;
  /** tr σ². */
  readonly traceSigma: number;
  /** tr(σ² H). */
  readonly traceSigmaH: number;
  /** f(θ), exactly. */
  loss(theta: Float64Array): number;
  /** ∇f(θ), exactly. */
  gradient(theta: Float64Array): Float64Array;
  /**
   * Writes the mean gradient of `batchSize` examples drawn independently (fresh from the population, or
   * uniformly with replacement from the sample) at θ into `out`.
   */
  stochasticGradient(theta: Float64Array, batchSize: number, rng: Rng, out: Float64Array): void;
}

/** tr(A) and tr(A·B) for p×p row-major matrices (B symmetric not required). */
export function traces(
  h: Float64Array,
  sigma2: Float64Array,
  p: number,
): {
  traceH: number;
  traceSigma: number;
  traceSigmaH: number;
} {
  let traceH = 0;
  let traceSigma = 0;
  let traceSigmaH = 0;
  for (let i = 0; i < p; i++) {
    traceH += h[i * p + i]!;
    traceSigma += sigma2[i * p + i]!;
    for (let k = 0; k < p; k++) traceSigmaH += sigma2[i * p + k]! * h[k * p + i]!;
  }
  return { traceH, traceSigma, traceSigmaH };
}
