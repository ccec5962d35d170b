import { checkInteger } from '../../util/options.js';
import type { LinearOperator } from '../linearOperator.js';

export { checkInteger, checkPositive, checkSeed } from '../../util/options.js';

/** Throws unless `op` looks like a {@link LinearOperator} with a positive integer dimension. */
export function checkOperator(fn: string, op: LinearOperator): number {
  if (op === null || typeof op !== 'object' || typeof op.matvec !== 'function') {
    throw new TypeError(`${fn}: op must be a LinearOperator with a matvec method`);
  }
  return checkInteger(fn, 'op.dim', op.dim, 1);
}
