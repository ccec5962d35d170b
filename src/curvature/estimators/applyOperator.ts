import type { LinearOperator } from '../linearOperator.js';

/**
 * Awaits `op.matvec(v)` and checks the result's length, so that a wrong operator fails with a message
 * naming the estimator instead of producing NaNs further on.
 */
export async function applyOperator(fn: string, op: LinearOperator, v: Float64Array): Promise<Float64Array> {
  const out = await op.matvec(v);
  if (!(out instanceof Float64Array) || out.length !== op.dim) {
    const got = out instanceof Float64Array ? `length ${out.length}` : String(out);
    throw new Error(`${fn}: op.matvec returned ${got}, expected a Float64Array of length dim = ${op.dim}`);
  }
  return out;
}
