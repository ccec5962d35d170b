import { studentTCritical } from './studentT.js';

/** Whether a measured effect supports one of the paper's claims. */
export type ClaimVerdict = 'holds' | 'does not hold' | 'inconclusive';

/** A measured effect with its standard error and two-sided confidence interval. */
export interface ClaimEvidence {
  /** The effect (its unit is the claim's). */
  effect: number;
  /** Its standard error. */
  standardError: number;
  /** Degrees of freedom of the standard error (Infinity for a normal interval). */
  degreesOfFreedom: number;
  /** Coverage of the interval, e.g. 0.95. */
  level: number;
  /** Lower end of the interval effect ± t·SE. */
  lower: number;
  /** Upper end. */
  upper: number;
}

/**
 * The two-sided Student-t interval of an effect at `level`; NaN ends when the standard error is unknown.
 *
 * @throws RangeError (from studentTCritical) for a level outside (0, 1) or a non-positive df.
 */
export function claimEvidence(
  effect: number,
  standardError: number,
  degreesOfFreedom: number,
  level: number,
): ClaimEvidence {
  const half = Number.isFinite(standardError)
    ? studentTCritical(level, degreesOfFreedom) * standardError
    : Number.NaN;
  return { effect, standardError, degreesOfFreedom, level, lower: effect - half, upper: effect + half };
}

/**
 * The verdict on a directional claim ("X raises Y"): holds when the interval lies on the claimed side of 0,
 * does not hold when it lies on the other side, inconclusive when it contains 0 (or is unknown).
 *
 * @param direction - +1 when the paper claims a positive effect, −1 a negative one.
 */
export function directionVerdict(evidence: ClaimEvidence, direction: 1 | -1): ClaimVerdict {
  const lower = direction === 1 ? evidence.lower : -evidence.upper;
  const upper = direction === 1 ? evidence.upper : -evidence.lower;
  if (lower > 0) return 'holds';
  if (upper < 0) return 'does not hold';
  return 'inconclusive';
}

/**
 * The verdict on a claim that an effect is about zero ("Y stays about constant"): holds when the whole
 * interval lies inside (−margin, margin), does not hold when it lies entirely outside, inconclusive otherwise.
 *
 * @param margin - the largest effect still called "about zero", > 0.
 * @throws RangeError when margin is not positive.
 */
export function negligibleVerdict(evidence: ClaimEvidence, margin: number): ClaimVerdict {
  if (!(margin > 0)) throw new RangeError(`negligibleVerdict: margin must be > 0, got ${margin}`);
  if (evidence.lower > -margin && evidence.upper < margin) return 'holds';
  if (evidence.lower >= margin || evidence.upper <= -margin) return 'does not hold';
  return 'inconclusive';
}
