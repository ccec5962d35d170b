/**
 * Argument checks shared by the theory functions: each throws a RangeError that names the function and
 * the argument and says what is wrong, so a bad call fails at the boundary instead of returning NaN.
 */

/** A finite number > 0 (learning rates, times, traces that must be positive). */
export function assertPositive(fn: string, name: string, value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new RangeError(`${fn}: ${name} must be a number, got ${String(value)}`);
  }
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${fn}: ${name} must be a positive finite number, got ${value}`);
  }
}

/** An integer ≥ 1 (batch sizes). */
export function assertPositiveInteger(fn: string, name: string, value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new RangeError(`${fn}: ${name} must be a number, got ${String(value)}`);
  }
  if (!Number.isInteger(value)) throw new RangeError(`${fn}: ${name} must be an integer, got ${value}`);
  if (value < 1) throw new RangeError(`${fn}: ${name} must be at least 1, got ${value}`);
}

/** A finite number ≥ 0 (traces of covariances, squared norms, times). */
export function assertNonNegative(fn: string, name: string, value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new RangeError(`${fn}: ${name} must be a number, got ${String(value)}`);
  }
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${fn}: ${name} must be a non-negative finite number, got ${value}`);
  }
}

/** Any finite number (losses, traces that may be negative away from a minimum). */
export function assertFinite(fn: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${fn}: ${name} must be a finite number, got ${String(value)}`);
  }
}
