import { assertFinite, assertNonNegative, assertPositive, assertPositiveInteger } from './validate.js';

/** Arguments of {@link expectedLossFourFactor}. */
export interface FourFactorLossArgs {
  /** f(X(t)), the loss along the gradient flow (at a minimum: the minimum loss f*). */
  lossAtFlow: number;
  /** Learning rate δ > 0. */
  lr: number;
  /** Batch size m (a positive integer). */
  batchSize: number;
  /** tr σ², the trace of the per-example gradient covariance at the minimum X(∞). */
  traceSigma: number;
}

/**
 * The four-factor relation of Wang (2019, Eq. 4.45), Eq. (12) of Luo & Wang (2021):
 * E f(X_δ^m(t)) = f(X(t)) + δ/(4m) · tr σ²(X(∞)) + o(δ/m).
 *
 * @remarks
 * σ² is the covariance of the gradient of the loss at one example (not of the minibatch mean; the
 * factor 1/m is explicit). The term follows from the Ornstein–Uhlenbeck limit: the stationary
 * covariance of (m/δ)^{1/2}(θ − θ*) is Γ with ΓH + HΓ = σ² (Eq. 11), so
 * E f − f* ≈ ½ tr(H · (δ/m) Γ) = δ/(4m) tr σ² (take the trace of Eq. 11).
 *
 * @returns lossAtFlow + lr/(4·batchSize)·traceSigma.
 * @throws RangeError naming the argument for a non-positive or NaN lr, a non-positive or non-integer
 *   batchSize, a negative or non-finite traceSigma, or a non-finite lossAtFlow.
 */
export function expectedLossFourFactor({
  lossAtFlow,
  lr,
  batchSize,
  traceSigma,
}: FourFactorLossArgs): number {
  const fn = 'expectedLossFourFactor';
  assertFinite(fn, 'lossAtFlow', lossAtFlow);
  assertPositive(fn, 'lr', lr);
  assertPositiveInteger(fn, 'batchSize', batchSize);
  assertNonNegative(fn, 'traceSigma', traceSigma);
  return lossAtFlow + (lr / (4 * batchSize)) * traceSigma;
}

/** Arguments of {@link expectedGradNormSqFourFactor}. */
export interface FourFactorGradArgs {
  /** |∇f(X(t))|², the squared gradient norm along the gradient flow (0 at a critical point). */
  gradNormSqAtFlow: number;
  /** Learning rate δ > 0. */
  lr: number;
  /** Batch size m (a positive integer). */
  batchSize: number;
  /** tr(σ² H) at the minimum X(∞). */
  traceSigmaH: number;
}

/**
 * The four-factor relation for the gradient norm, Wang (2019, Eq. 4.49), Eq. (13) of Luo & Wang
 * (2021): E|∇f(X_δ^m(t))|² = |∇f(X(t))|² + δ/(2m) · tr(σ² H) + o(δ/m).
 *
 * @remarks
 * Near the minimum ∇f ≈ H(θ − θ*), so E|∇f|² ≈ (δ/m) tr(H²Γ); multiplying Eq. (11) by H and taking
 * the trace gives 2 tr(H²Γ) = tr(σ²H).
 *
 * @returns gradNormSqAtFlow + lr/(2·batchSize)·traceSigmaH.
 * @throws RangeError naming the argument for a non-positive or NaN lr, a non-positive or non-integer
 *   batchSize, a negative or non-finite gradNormSqAtFlow, or a non-finite traceSigmaH.
 */
export function expectedGradNormSqFourFactor({
  gradNormSqAtFlow,
  lr,
  batchSize,
  traceSigmaH,
}: FourFactorGradArgs): number {
  const fn = 'expectedGradNormSqFourFactor';
  assertNonNegative(fn, 'gradNormSqAtFlow', gradNormSqAtFlow);
  assertPositive(fn, 'lr', lr);
  assertPositiveInteger(fn, 'batchSize', batchSize);
  assertFinite(fn, 'traceSigmaH', traceSigmaH);
  return gradNormSqAtFlow + (lr / (2 * batchSize)) * traceSigmaH;
}
