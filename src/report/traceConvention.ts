import type { RunEstimate, RunMeasurement } from '../run/runResult.js';

/**
 * How the measured quantities are normalized over the n training examples: `'mean'`, per example (the
 * objective f = (1/n)·Σⱼ ℓⱼ + R and the per-example gradient covariance σ², what measureMinimum reports),
 * or `'sum'`, summed over the examples (the objective F = n·f and the gradient scatter n·σ²).
 */
export type TraceScale = 'mean' | 'sum';

/** A normalization and, for sums, over how many examples (the training set's size: 50,000 for CIFAR-10). */
export type TraceConvention = { scale: 'mean' } | { scale: 'sum'; examples: number };

/** A quantity of a measurement whose normalization depends on the convention. */
export type ScaledQuantity =
  | 'traceH'
  | 'traceSigma'
  | 'traceSigmaH'
  | 'gradNormSq'
  | 'loss'
  | 'magnitudeDifference'
  | 'bSimple'
  | 'eigenvalue';

/**
 * The power of n by which each quantity goes from the mean to the sum convention: F = n·f, so its
 * Hessian (trace, eigenvalues) and value scale by n and its gradient's squared norm by n²; the per-example
 * gradients ∇ℓⱼ are the same in both, and the sum convention's σ² is their scatter Σⱼ (∇ℓⱼ − ḡ)(∇ℓⱼ − ḡ)ᵀ =
 * n·σ², the covariance of the summed gradient Σⱼ ∇ℓⱼ over draws of the sample. Then tr(σ²H) scales by n²,
 * Tr H/tr σ² not at all and tr σ²/|∇f|² by 1/n. With these, Eq. (6), (12) and (13) keep their form (the same
 * δ and m) for the summed loss, and σ² = H holds in one convention exactly when it holds in the other.
 */
export const SUM_CONVENTION_POWERS: Readonly<Record<ScaledQuantity, number>> = {
  traceH: 1,
  traceSigma: 1,
  traceSigmaH: 2,
  gradNormSq: 2,
  loss: 1,
  magnitudeDifference: 0,
  bSimple: -1,
  eigenvalue: 1,
};

/**
 * The factor that takes a quantity from the mean convention to `convention` (1 for `'mean'`).
 *
 * @throws RangeError when a sum's `examples` is not a positive integer.
 */
export function conventionFactor(quantity: ScaledQuantity, convention: TraceConvention): number {
  if (convention.scale === 'mean') return 1;
  const n = convention.examples;
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`conventionFactor: examples must be a positive integer, got ${String(n)}`);
  return n ** SUM_CONVENTION_POWERS[quantity];
}

function scaleEstimate(e: RunEstimate, factor: number): RunEstimate {
  // results.jsonl stores an unknown SE (NaN) as null, which stays null.
  const se = e.standardError as number | null;
  return {
    ...e,
    estimate: e.estimate * factor,
    standardError: (typeof se === 'number' ? se * factor : se) as number,
  };
}

/**
 * A run's end-of-training measurement (taken, as measureMinimum takes it, in the mean convention) expressed
 * in `convention`; estimates and standard errors scale alike, unknown (null) SEs stay unknown, and the
 * settings record the convention. The input is not modified.
 *
 * @remarks
 * The sum convention here multiplies the whole objective, the regularization penalty included, by n. An
 * objective that adds the penalty once to the summed data loss (Keras' sum reduction) has a Tr H smaller
 * by (n − 1)·Tr ∇²R = (n − 1)·2λ·(regularized weights); see docs/reproducing-luo-wang-2021.md.
 *
 * @throws RangeError when a sum's `examples` is not a positive integer.
 */
export function measurementInConvention(m: RunMeasurement, convention: TraceConvention): RunMeasurement {
  const f = (q: ScaledQuantity) => conventionFactor(q, convention);
  return {
    ...m,
    traceH: scaleEstimate(m.traceH, f('traceH')),
    traceSigma: scaleEstimate(m.traceSigma, f('traceSigma')),
    traceSigmaH: scaleEstimate(m.traceSigmaH, f('traceSigmaH')),
    gradNormSq: scaleEstimate(m.gradNormSq, f('gradNormSq')),
    loss: scaleEstimate(m.loss, f('loss')),
    magnitudeDifference: scaleEstimate(m.magnitudeDifference, f('magnitudeDifference')),
    ...(m.perLayer
      ? {
          perLayer: m.perLayer.map((b) => ({
            ...b,
            traceH: b.traceH * f('traceH'),
            traceHStandardError: b.traceHStandardError * f('traceH'),
            traceSigma: b.traceSigma * f('traceSigma'),
          })),
        }
      : {}),
    settings: { ...m.settings, convention },
  };
}
