/**
 * Levenshtein distance between two names, ignoring case: how many one-letter edits turn one into the other.
 * Used to suggest the name a user probably meant.
 */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/**
 * The known name closest to `name` when it is a near miss (at most two edits, or a third of its length),
 * else undefined: the "did you mean" of every error about an unknown name.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
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
