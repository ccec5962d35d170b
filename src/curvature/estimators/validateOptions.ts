import type { LinearOperator } from '../linearOperator.js';

/** Throws a RangeError naming `name` unless `value` is an integer ≥ `min`. */
export function checkInteger(fn: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const what = min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
    throw new RangeError(`${fn}: ${name} must be ${what}, got ${String(value)}`);
  }
  return value;
}

/** Throws a RangeError naming `name` unless `value` is a finite number (the seed). */
export function checkSeed(fn: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${fn}: seed must be a finite number, got ${String(value)}`);
  }
  return value;
}

/** Throws a RangeError naming `name` unless `value` is a finite number greater than 0. */
export function checkPositive(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${fn}: ${name} must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

/** Throws unless `op` looks like a {@link LinearOperator} with a positive integer dimension. */
export function checkOperator(fn: string, op: LinearOperator): number {
  if (op === null || typeof op !== 'object' || typeof op.matvec !== 'function') {
    throw new TypeError(`${fn}: op must be a LinearOperator with a matvec method`);
  }
  return checkInteger(fn, 'op.dim', op.dim, 1);
}
