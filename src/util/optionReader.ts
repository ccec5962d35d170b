import { rejectUnknownKeys } from './knownKeys.js';

/**
 * Reads the fields of a plain options object with defaults, each check failing with a RangeError that
 * starts with `where` and names the field: what model and data-source definitions normalize options with.
 */
export class OptionReader {
  /**
   * @param where - the start of every message (a function, flag or file name).
   * @param options - the object to read.
   * @param known - its allowed keys; any other is an error with a "did you mean".
   * @param path - the prefix of field names in messages, e.g. `measurement.`.
   */
  constructor(
    private readonly where: string,
    private readonly options: Readonly<Record<string, unknown>>,
    known: readonly string[],
    private readonly path = '',
  ) {
    rejectUnknownKeys(where, path, options, known, (m) => new RangeError(m));
  }

  private fail(field: string, what: string, value: unknown): never {
    const name = `'${this.path}${field}'`;
    if (value === undefined) throw new RangeError(`${this.where}: field ${name} is required (${what})`);
    throw new RangeError(`${this.where}: field ${name} must be ${what}, got ${JSON.stringify(value) ?? String(value)}`);
  }

  /** A finite number in (0, max], or the default when absent. */
  positive(field: string, fallback: number | undefined, max: number): number {
    const value = this.options[field] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max)
      this.fail(field, `a number in (0, ${max}]`, value);
    return value;
  }

  /** An integer in [min, max], or the default when absent (required when the default is undefined). */
  integer(field: string, fallback: number | undefined, min: number, max: number): number {
    const value = this.options[field] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      this.fail(field, max >= 1e7 ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`, value);
    return value;
  }

  /** A finite number in [min, max], or the default when absent (required when the default is undefined). */
  number(field: string, fallback: number | undefined, min: number, max: number): number {
    const value = this.options[field] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
      this.fail(field, `a number in [${min}, ${max}]`, value);
    return value;
  }

  /** true or false, or the default when absent. */
  boolean(field: string, fallback: boolean): boolean {
    const value = this.options[field] ?? fallback;
    if (typeof value !== 'boolean') this.fail(field, 'true or false', value);
    return value;
  }

  /** One of the allowed strings, or the default when absent. */
  choice<T extends string>(field: string, fallback: T, allowed: readonly T[]): T {
    const value = this.options[field] ?? fallback;
    if (!allowed.includes(value as T)) this.fail(field, `one of ${allowed.join(', ')}`, value);
    return value as T;
  }

  /** An array of integers in [min, max] (possibly empty), or the default when absent. */
  integers(field: string, fallback: readonly number[], min: number, max: number, maxLength: number): number[] {
    const value = this.options[field] ?? fallback;
    if (!Array.isArray(value) || value.length > maxLength)
      this.fail(field, `an array of at most ${maxLength} integers`, value);
    return (value as unknown[]).map((v, i) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
        this.fail(`${field}[${i}]`, max >= 1e7 ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`, v);
      return v as number;
    });
  }
}
