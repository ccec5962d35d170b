/**
 * The number of records held out for validation from `n` training records.
 *
 * @param fn - the calling function's name, for error messages.
 * @param split - a fraction in (0, 1) (rounded to a whole count) or a whole number ≥ 1; undefined for none.
 * @param n - the training records available.
 * @returns the count, 0 when `split` is undefined.
 * @throws RangeError when `split` is neither, or leaves no record for training or validation.
 */
export function validationCount(fn: string, split: number | undefined, n: number): number {
  if (split === undefined) return 0;
  let count: number;
  if (split > 0 && split < 1) count = Math.round(split * n);
  else if (Number.isInteger(split) && split >= 1) count = split;
  else
    throw new RangeError(
      `${fn}: validationSplit must be a fraction in (0, 1) or a whole number ≥ 1, got ${split}`,
    );
  if (count < 1 || count >= n)
    throw new RangeError(
      `${fn}: validationSplit ${split} leaves ${n - count} of ${n} training records for training and ${count} for validation; both must be ≥ 1`,
    );
  return count;
}
