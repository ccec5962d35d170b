/**
 * The root-mean-square difference of two learning curves over the epochs both have (e.g. training accuracy
 * per epoch): 0 for identical curves, in the curves' own unit.
 *
 * @throws RangeError when either curve is empty or holds a non-finite value in the common epochs.
 */
export function rmsCurveDistance(a: readonly number[], b: readonly number[]): number {
  const epochs = Math.min(a.length, b.length);
  if (epochs === 0) throw new RangeError('rmsCurveDistance: both curves need at least one epoch');
  let sum = 0;
  for (let e = 0; e < epochs; e++) {
    const d = a[e]! - b[e]!;
    if (!Number.isFinite(d))
      throw new RangeError(`rmsCurveDistance: epoch ${e + 1} is not finite in both curves`);
    sum += d * d;
  }
  return Math.sqrt(sum / epochs);
}

/**
 * The epoch-wise mean of several curves, over the epochs all of them have.
 *
 * @throws RangeError when there are no curves.
 */
export function meanCurve(curves: readonly (readonly number[])[]): number[] {
  if (curves.length === 0) throw new RangeError('meanCurve: needs at least one curve');
  const epochs = Math.min(...curves.map((c) => c.length));
  return Array.from({ length: epochs }, (_, e) => curves.reduce((s, c) => s + c[e]!, 0) / curves.length);
}
