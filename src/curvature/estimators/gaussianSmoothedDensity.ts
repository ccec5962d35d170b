import { checkInteger, checkOptionKeys, checkPositive, type OptionKeys } from '../../util/options.js';
import type { SpectralDensityResult } from './spectralDensity.js';

/** Options for {@link gaussianSmoothedDensity}: give either `grid` or `numPoints`. */
export interface SmoothedDensityOptions {
  /** Points at which to evaluate the density (any order). Not allowed together with `numPoints`. */
  grid?: ArrayLike<number>;
  /**
   * Number of evenly spaced points from min(node) − 5σ to max(node) + 5σ; default 1000 when `grid` is
   * not given.
   */
  numPoints?: number;
  /**
   * Standard deviation of the Gaussian placed on each node; default 1% of the node range (or 1% of the
   * largest |node| when all nodes coincide, or 1 when they are all zero).
   */
  sigma?: number;
}

const OPTION_KEYS: OptionKeys<SmoothedDensityOptions> = {
  grid: true,
  numPoints: true,
  sigma: true,
};

/** A density sampled on a grid. */
export interface SmoothedDensity {
  /** The evaluation points. */
  grid: Float64Array;
  /** The density at each grid point; integrates to 1 over the real line. */
  density: Float64Array;
}

/**
 * Turns a stochastic Lanczos quadrature result into a plottable curve: the average over probes of
 * Σⱼ τⱼ·N(t; θⱼ, σ²), a smoothed estimate of the eigenvalue density.
 *
 * @remarks
 * σ trades resolution for noise: it should be wider than the spacing of the Ritz values of a single
 * probe in the bulk of the spectrum, or the curve shows one spike per node. Isolated outliers (the top
 * Hessian eigenvalues) appear as bumps of mass ≈ 1/n each, so a log-scale density axis is usual.
 *
 * @param result - the output of {@link spectralDensity}.
 * @param options - grid or numPoints, and sigma.
 * @returns the grid and the density values.
 * @throws RangeError naming the option when an option is invalid.
 */
export function gaussianSmoothedDensity(
  result: SpectralDensityResult,
  options: SmoothedDensityOptions = {},
): SmoothedDensity {
  const fn = 'gaussianSmoothedDensity';
  checkOptionKeys(fn, options, OPTION_KEYS);
  if (result.nodes.length === 0) throw new RangeError(`${fn}: result has no probes`);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const nodes of result.nodes) {
    for (const x of nodes) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
  }
  const defaultSigma = hi > lo ? (hi - lo) / 100 : hi !== 0 ? Math.abs(hi) / 100 : 1;
  const sigma = options.sigma === undefined ? defaultSigma : checkPositive(fn, 'sigma', options.sigma);
  let grid: Float64Array;
  if (options.grid !== undefined) {
    if (options.numPoints !== undefined)
      throw new RangeError(`${fn}: pass either grid or numPoints, not both`);
    grid = Float64Array.from(options.grid);
    if (grid.length === 0) throw new RangeError(`${fn}: grid is empty`);
    grid.forEach((t, i) => {
      if (!Number.isFinite(t)) throw new RangeError(`${fn}: grid[${i}] is ${t}`);
    });
  } else {
    const numPoints = checkInteger(fn, 'numPoints', options.numPoints ?? 1000, 2);
    const a = lo - 5 * sigma;
    const step = (hi + 5 * sigma - a) / (numPoints - 1);
    grid = Float64Array.from({ length: numPoints }, (_, i) => a + i * step);
  }
  const density = new Float64Array(grid.length);
  const norm = 1 / (result.nodes.length * sigma * Math.sqrt(2 * Math.PI));
  const inv2s2 = 1 / (2 * sigma * sigma);
  result.nodes.forEach((nodes, p) => {
    const weights = result.weights[p]!;
    for (let j = 0; j < nodes.length; j++) {
      const theta = nodes[j]!;
      const c = weights[j]! * norm;
      for (let g = 0; g < grid.length; g++) {
        const d = grid[g]! - theta;
        density[g] = density[g]! + c * Math.exp(-d * d * inv2s2);
      }
    }
  });
  return { grid, density };
}
