import { assertFinite, assertPositive, assertPositiveInteger } from './validate.js';

/** Arguments of {@link expectedLossThreeFactor}. */
export interface ThreeFactorArgs {
  /** Learning rate δ > 0. */
  lr: number;
  /** Batch size m (a positive integer). */
  batchSize: number;
  /** Tr H, the trace of the loss Hessian at the minimum. */
  traceH: number;
}

/**
 * The three-factor relation of Jastrzębski et al. (2018, Eq. 9), Eq. (6) of Luo & Wang (2021):
 * E(L) = δ/(4m) · Tr H.
 *
 * @remarks
 * Derived for a quadratic bowl with minimum loss zero and gradient covariance equal to the Hessian
 * (Assumption 2, C = H). It is the four-factor Eq. (12) with σ² replaced by H, so it holds only when
 * σ² = H (e.g. well-specified log loss at the optimum) — for squared loss with label-noise variance s²,
 * σ² = s²H and Eq. (6) is off by the factor s².
 *
 * @returns the predicted expected loss above the minimum, lr/(4·batchSize)·traceH.
 * @throws RangeError naming the argument for a non-positive or NaN lr, a non-positive or non-integer
 *   batchSize, or a non-finite traceH.
 */
export function expectedLossThreeFactor({ lr, batchSize, traceH }: ThreeFactorArgs): number {
  const fn = 'expectedLossThreeFactor';
  assertPositive(fn, 'lr', lr);
  assertPositiveInteger(fn, 'batchSize', batchSize);
  assertFinite(fn, 'traceH', traceH);
  return (lr / (4 * batchSize)) * traceH;
}
