import { checkBlocks, type ParameterBlock } from './parameterBlock.js';

/** The comparison of two diagonals over one block of coordinates (or all of them). */
export interface DiagonalComparison {
  /** The block's name (`'all'` for the whole vector). */
  name: string;
  /** Number of coordinates in the block. */
  size: number;
  /** Pearson correlation of the two diagonals over the block (NaN when either is constant). */
  correlation: number;
  /** Coordinates where both entries are > 0, the ones the power-law fit uses. */
  used: number;
  /** Pearson correlation of log sᵢ and log hᵢ over the used coordinates. */
  logCorrelation: number;
  /** Fitted exponent γ of sᵢ ≈ c·hᵢ^γ: the least-squares slope of log sᵢ on log hᵢ (NaN with fewer than 3 used). */
  gamma: number;
  /** Standard error of γ from the fit's residuals (ordinary least squares; 0 for an exact power law). */
  gammaStandardError: number;
  /** The fitted log c. */
  logPrefactor: number;
}

/**
 * Compares the diagonal of σ² (or any second operator) with that of H coordinate by coordinate, per
 * parameter block and overall: the correlation, and the exponent γ of σ²ᵢᵢ ∝ Hᵢᵢ^γ fitted by least
 * squares on the logarithms, with its standard error.
 *
 * @remarks
 * σ² = c·H (the exactly solvable models at their minimum: linear regression has σ² = s²H, well-specified
 * logistic regression σ² = H) gives γ = 1 and a log-correlation of 1; recent work reports 1 ≤ γ ≤ 2 for
 * deep networks. Only coordinates where both diagonal entries are positive enter the fit (`used` says
 * how many): a PSD operator has a non-negative diagonal, but a Hessian's need not be, and estimated
 * diagonals can dip below zero by noise. With estimated diagonals ({@link hutchinsonDiagonal}) the noise
 * in hᵢ biases γ towards 0 (errors in the regressor), and dropping non-positive entries biases it too:
 * use many probes or exact diagonals, and read `gammaStandardError` as the fit's error given the
 * diagonals, not including their estimation noise.
 *
 * @param sigmaDiagonal - diag(σ²), length dim.
 * @param hessianDiagonal - diag(H), length dim.
 * @param blocks - consecutive blocks covering [0, dim) (e.g. `parameterBlocks(model)`); omit for `'all'` only.
 * @returns one comparison per block in order, then one named `'all'` over every coordinate.
 * @throws RangeError when the lengths differ, an entry is not finite, or the blocks do not cover the vectors.
 */
export function compareDiagonals(
  sigmaDiagonal: Float64Array,
  hessianDiagonal: Float64Array,
  blocks: readonly ParameterBlock[] = [],
): DiagonalComparison[] {
  const fn = 'compareDiagonals';
  const n = sigmaDiagonal.length;
  if (hessianDiagonal.length !== n) {
    throw new RangeError(
      `${fn}: sigmaDiagonal has length ${n} but hessianDiagonal has ${hessianDiagonal.length}`,
    );
  }
  if (n === 0) throw new RangeError(`${fn}: the diagonals are empty`);
  for (const [name, d] of [
    ['sigmaDiagonal', sigmaDiagonal],
    ['hessianDiagonal', hessianDiagonal],
  ] as const) {
    const bad = d.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new RangeError(`${fn}: ${name}[${bad}] is ${d[bad]}, expected a finite number`);
  }
  if (blocks.length > 0) checkBlocks(fn, blocks, n);
  const compare = (name: string, offset: number, size: number): DiagonalComparison => {
    const s = sigmaDiagonal.subarray(offset, offset + size);
    const h = hessianDiagonal.subarray(offset, offset + size);
    const logS: number[] = [];
    const logH: number[] = [];
    for (let i = 0; i < size; i++) {
      if (s[i]! > 0 && h[i]! > 0) {
        logS.push(Math.log(s[i]!));
        logH.push(Math.log(h[i]!));
      }
    }
    return {
      name,
      size,
      correlation: pearson(h, s),
      used: logS.length,
      logCorrelation: pearson(logH, logS),
      ...powerLawFit(logH, logS),
    };
  };
  return [...blocks.map((b) => compare(b.name, b.offset, b.size)), compare('all', 0, n)];
}

function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const k = x.length;
  if (k < 2) return Number.NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < k; i++) {
    mx += x[i]! / k;
    my += y[i]! / k;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < k; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

/** Least-squares line y ≈ logPrefactor + gamma·x, with the slope's standard error. */
function powerLawFit(
  x: number[],
  y: number[],
): { gamma: number; gammaStandardError: number; logPrefactor: number } {
  const k = x.length;
  const none = { gamma: Number.NaN, gammaStandardError: Number.NaN, logPrefactor: Number.NaN };
  if (k < 3) return none;
  const mx = x.reduce((a, b) => a + b, 0) / k;
  const my = y.reduce((a, b) => a + b, 0) / k;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < k; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  if (!(sxx > 0)) return none;
  const gamma = sxy / sxx;
  const logPrefactor = my - gamma * mx;
  let rss = 0;
  for (let i = 0; i < k; i++) rss += (y[i]! - logPrefactor - gamma * x[i]!) ** 2;
  return { gamma, gammaStandardError: Math.sqrt(rss / (k - 2) / sxx), logPrefactor };
}
