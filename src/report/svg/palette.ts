/**
 * Ten distinguishable colors (the "Tableau 10" palette), in an order where neighbours contrast; series
 * beyond ten reuse them.
 */
export const CATEGORICAL_COLORS: readonly string[] = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

/**
 * Colors for the distinct values of a key: equal keys get equal colors, in order of first appearance of
 * the sorted keys.
 *
 * @param keys - the keys (repeats allowed).
 * @returns a map from each distinct key to its color.
 */
export function colorsByKey(keys: readonly number[]): Map<number, string> {
  const distinct = [...new Set(keys)].sort((a, b) => a - b);
  return new Map(distinct.map((k, i) => [k, CATEGORICAL_COLORS[i % CATEGORICAL_COLORS.length] as string]));
}
