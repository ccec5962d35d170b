import { editDistance } from './options.js';

/**
 * The known name closest to `name` when it is a near miss (at most two edits, or a third of its length),
 * else undefined (ignoring case): the "did you mean" of the registries, configs and command line. More
 * lenient than `closestMatch` (options.ts) for short names, so a transposition (`dpeth`, `trian`) is still caught.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Throws when `value` has a key outside `known`, naming the key (prefixed by `path`, e.g. `measurement.`),
 * the nearest known key and the whole list, so a typo never silently falls back to a default.
 *
 * @param where - who is checking, the start of the message (a function or file name).
 * @param path - the prefix of the keys in messages (`''` at the top level).
 * @param value - the object to check.
 * @param known - the keys allowed.
 * @param makeError - builds the error to throw (default `TypeError`).
 */
export function rejectUnknownKeys(
  where: string,
  path: string,
  value: object,
  known: readonly string[],
  makeError: (message: string) => Error = (message) => new TypeError(message),
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key) || (value as Record<string, unknown>)[key] === undefined) continue;
    const close = closestName(key, known);
    throw makeError(
      `${where}: unknown field '${path}${key}'${close ? ` (did you mean '${path}${close}'?)` : ''}; known fields: ${known.join(', ')}`,
    );
  }
}
