/** A leave-one-out jackknife estimate. */
export interface JackknifeEstimate {
  /** The statistic on all units. */
  estimate: number;
  /** √((g − 1)/g · Σ (θ₋ₖ − θ̄)²) over the g units; NaN when a leave-one-out statistic is undefined. */
  standardError: number;
  /** g − 1. */
  degreesOfFreedom: number;
}

/**
 * The jackknife standard error of a statistic over g units (e.g. grid cells whose pairwise distances the
 * statistic averages, so that pairs sharing a cell are not taken as independent).
 *
 * @param units - the units, g ≥ 2.
 * @param statistic - the statistic of a subset of the units; NaN where it is undefined.
 * @throws RangeError when there are fewer than 2 units.
 */
export function jackknife<T>(
  units: readonly T[],
  statistic: (kept: readonly T[]) => number,
): JackknifeEstimate {
  const g = units.length;
  if (g < 2) throw new RangeError(`jackknife: needs at least 2 units, got ${g}`);
  const leaveOneOut = units.map((_, k) => statistic(units.filter((_, i) => i !== k)));
  const mean = leaveOneOut.reduce((s, v) => s + v, 0) / g;
  const spread = leaveOneOut.reduce((s, v) => s + (v - mean) ** 2, 0);
  return {
    estimate: statistic(units),
    standardError: Math.sqrt(((g - 1) / g) * spread),
    degreesOfFreedom: g - 1,
  };
}
