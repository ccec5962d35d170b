/** Option checks for the solvable models: RangeErrors that name the function and the option. */

/** Throws unless `value` is an integer ≥ `min`. */
export function checkInteger(fn: string, name: string, value: number, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${fn}: ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

/** Throws unless `value` lies in [min, max] (or [min, max) with `maxOpen`). */
export function checkRange(
  fn: string,
  name: string,
  value: number,
  min: number,
  max: number,
  maxOpen = false,
): void {
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value < min ||
    value > max ||
    (maxOpen && value === max)
  ) {
    throw new RangeError(
      `${fn}: ${name} must be in [${min}, ${max}${maxOpen ? ')' : ']'}, got ${String(value)}`,
    );
  }
}

/** Copies a length-`dim` vector of finite numbers into a Float64Array, or throws. */
export function checkVector(fn: string, name: string, value: ArrayLike<number>, dim: number): Float64Array {
  if (value.length !== dim)
    throw new RangeError(`${fn}: ${name} has length ${value.length}, expected dim = ${dim}`);
  const out = Float64Array.from(value);
  for (let i = 0; i < dim; i++) {
    if (!Number.isFinite(out[i]!)) throw new RangeError(`${fn}: ${name}[${i}] must be finite, got ${out[i]}`);
  }
  return out;
}
