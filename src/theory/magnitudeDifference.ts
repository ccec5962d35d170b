import { assertFinite, assertPositive } from './validate.js';

/**
 * Tr(H) / tr σ², the column of Luo & Wang (2021, Table 1) that compares the two relations: Eq. (6)
 * predicts this ratio times what Eq. (12) predicts for the excess loss, so a value far from 1 means the
 * three-factor relation cannot hold.
 *
 * @param traceH - Tr H at the minimum (finite).
 * @param traceSigma - tr σ² at the minimum (positive).
 * @throws RangeError naming the argument for a non-finite traceH or a non-positive or NaN traceSigma.
 */
export function magnitudeDifference(traceH: number, traceSigma: number): number {
  const fn = 'magnitudeDifference';
  assertFinite(fn, 'traceH', traceH);
  assertPositive(fn, 'traceSigma', traceSigma);
  return traceH / traceSigma;
}
