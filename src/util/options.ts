/**
 * Every key of an options type, as a record the compiler checks both ways: a key missing from the list,
 * or one that the type does not have, is a type error. Passed to {@link checkOptionKeys}.
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/** Levenshtein edit distance (insertions, deletions, substitutions, each cost 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `word` by edit distance (case-insensitive), when it is close enough to be a
 * likely typo: at most a third of the longer word's length, and at least 1; undefined otherwise.
 *
 * @param word - what was given.
 * @param candidates - the valid words.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(1, Math.floor(Math.max(word.length, best.length) / 3)) ? best : undefined;
}

/**
 * Option names that mean the same across the library, old (or other functions') name → current name:
 * `hutchPlusPlusTrace(A, { probes: 30 })` is then answered "did you mean 'matvecs'?".
 */
const SYNONYMS: Readonly<Record<string, string>> = {
  probes: 'matvecs',
  minProbes: 'minMatvecs',
  maxProbes: 'maxMatvecs',
  maxIter: 'maxMatvecs',
  iterations: 'maxMatvecs',
  eigenIterations: 'eigenMatvecs',
};

/**
 * Throws unless `options` is undefined or a plain object whose own keys are all known: an unknown key
 * (a typo, or a name from another function) would otherwise be ignored silently and its default used.
 *
 * @param fn - the function's name, for the message.
 * @param options - the options object as given.
 * @param keys - every key the function accepts ({@link OptionKeys}).
 * @param renamed - deprecated names still accepted by the function, mapped to their new names; listed
 *   here so that the check lets them through.
 * @throws TypeError naming the function and the unknown key, with "did you mean" when a known key is close.
 */
export function checkOptionKeys<T>(
  fn: string,
  options: T | undefined,
  keys: OptionKeys<T>,
  renamed: Readonly<Record<string, string>> = {},
): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `${fn}: options must be an object, got ${options === null ? 'null' : typeof options}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(keys, key) || Object.hasOwn(renamed, key)) continue;
    const known = Object.keys(keys);
    const synonym = SYNONYMS[key];
    const close = closestMatch(key, [...known, ...Object.keys(renamed)]);
    const suggestion =
      synonym !== undefined && Object.hasOwn(keys, synonym) ? synonym : close && (renamed[close] ?? close);
    const hint =
      suggestion === undefined ? `known options: ${known.join(', ')}` : `did you mean '${suggestion}'?`;
    throw new TypeError(`${fn}: unknown option '${key}'; ${hint}`);
  }
}

/**
 * Reads an option that was renamed, accepting the deprecated name too (never both).
 *
 * @param fn - the function's name, for the message.
 * @param options - the options as given.
 * @param name - the current name.
 * @param deprecated - the old name.
 * @returns the value under either name, or undefined.
 * @throws TypeError when both names are given.
 */
export function renamedOption<T>(
  fn: string,
  options: object,
  name: string,
  deprecated: string,
): T | undefined {
  const record = options as Record<string, T | undefined>;
  if (record[name] !== undefined && record[deprecated] !== undefined) {
    throw new TypeError(`${fn}: give options.${name} only ('${deprecated}' is its deprecated name)`);
  }
  return record[name] ?? record[deprecated];
}

/**
 * The name under which a renamed option was given: `deprecated` when only the old name is set, so that
 * messages name what the caller wrote; `name` otherwise.
 */
export function givenOptionName(options: object, name: string, deprecated: string): string {
  const record = options as Record<string, unknown>;
  return record[name] === undefined && record[deprecated] !== undefined ? deprecated : name;
}

/** Throws a RangeError naming `name` unless `value` is an integer ≥ `min`. */
export function checkInteger(fn: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const what = min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
    throw new RangeError(`${fn}: ${name} must be ${what}, got ${String(value)}`);
  }
  return value;
}

/** The seed option: 0 when absent; throws a RangeError unless it is a finite number. */
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
