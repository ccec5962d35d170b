import { existsSync, statSync } from 'node:fs';
import { UsageError } from './command.js';

/** Plain decimal: an optional sign, digits, an optional fraction and exponent (no hex, no `Infinity`). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * An integer flag in [min, max], or undefined when absent.
 *
 * @throws UsageError naming the flag for anything else (`0x10`, `1e3`, `2.5`, out of range).
 */
export function integerFlag(
  flag: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(
      `${flag} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`}, got '${value}'`,
    );
  return n;
}

/**
 * A decimal number flag that passes `check`, or undefined when absent.
 *
 * @param what - what `check` requires, for the message (e.g. `a positive number`).
 * @throws UsageError naming the flag.
 */
export function numberFlag(
  flag: string,
  value: string | undefined,
  check: (x: number) => boolean,
  what: string,
): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!DECIMAL.test(value.trim()) || !Number.isFinite(x) || !check(x))
    throw new UsageError(`${flag} must be ${what}, got '${value}'`);
  return x;
}

/**
 * One of the allowed words, or undefined when absent.
 *
 * @throws UsageError naming the flag and the allowed words.
 */
export function choiceFlag<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T))
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

/** A comma-separated list of integers ≥ min (`''` is the empty list), or undefined when absent. */
export function integerListFlag(flag: string, value: string | undefined, min: number): number[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') return [];
  return value.split(',').map((part) => integerFlag(flag, part, min) as number);
}

/**
 * Runs `work` (sync or async), turning a RangeError/TypeError of a validator into a {@link UsageError}
 * prefixed by `what`.
 */
export function asUsageError<T>(what: string, work: () => T): T {
  const convert = (error: unknown): never => {
    if (error instanceof RangeError || error instanceof TypeError)
      throw new UsageError(`${what}: ${error.message}`);
    throw error;
  };
  try {
    const result = work();
    return (result instanceof Promise ? result.catch(convert) : result) as T;
  } catch (error) {
    return convert(error);
  }
}

/** Refuses an output directory flag that names an existing file, before any work is done. */
export function checkOutputDirectory(flag: string, path: string): void {
  if (existsSync(path) && !statSync(path).isDirectory())
    throw new UsageError(`${flag} ${path} is a file; give a directory`);
}
