import type { Rng } from '../../util/random.js';

/**
 * Distribution of random probe vectors: `rademacher` (independent ±1 entries; the lowest-variance
 * choice for Hutchinson's estimator, variance 2‖A‖_F² − 2Σa_ii² per probe) or `gaussian` (independent
 * standard normal entries, variance 2‖A‖_F² per probe, rotation invariant).
 */
export type ProbeDistribution = 'rademacher' | 'gaussian';

/** Throws a RangeError naming the option unless `value` is a known {@link ProbeDistribution}. */
export function checkDistribution(fn: string, value: unknown): ProbeDistribution {
  if (value === undefined) return 'rademacher';
  if (value !== 'rademacher' && value !== 'gaussian') {
    throw new RangeError(`${fn}: distribution must be 'rademacher' or 'gaussian', got ${String(value)}`);
  }
  return value;
}

/** Fills `v` with a fresh probe drawn from `rng`; E[v vᵀ] = I for both distributions. */
export function fillProbe(v: Float64Array, rng: Rng, distribution: ProbeDistribution): Float64Array {
  if (distribution === 'rademacher') for (let i = 0; i < v.length; i++) v[i] = rng.sign();
  else for (let i = 0; i < v.length; i++) v[i] = rng.normal();
  return v;
}
