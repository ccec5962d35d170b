import { cholesky } from '../linalg/cholesky.js';
import { type MatrixLike, toSizedMatrix } from '../linalg/matrixLike.js';
import { symmetryDefect } from '../linalg/symmetricEigen.js';
import type { Rng } from '../util/random.js';

/** A zero-mean Gaussian design x ~ N(0, S) with its Cholesky factor, for sampling. */
export interface GaussianDesign {
  /** p. */
  readonly dim: number;
  /** S, p×p row-major. */
  readonly covariance: Float64Array;
  /** Lower-triangular L with L Lᵀ = S. */
  readonly factor: Float64Array;
  /** Writes one draw x = L z into `out` (z standard normal). */
  sample(rng: Rng, out: Float64Array): void;
}

/**
 * The default design covariance: diagonal with entries spread linearly over [0.5, 2], so that H has a
 * 4:1 eigenvalue spread and the relaxation times of SGD differ across directions.
 */
export function defaultDesignCovariance(dim: number): Float64Array {
  const s = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) s[i * dim + i] = dim === 1 ? 1 : 0.5 + (1.5 * i) / (dim - 1);
  return s;
}

/**
 * Validates a design covariance (square p×p, symmetric, positive definite) and prepares sampling.
 *
 * @param fn - the calling function's name, for error messages.
 * @param dim - p.
 * @param covariance - S, or undefined for {@link defaultDesignCovariance}.
 */
export function createGaussianDesign(fn: string, dim: number, covariance?: MatrixLike): GaussianDesign {
  let s: Float64Array;
  if (covariance === undefined) s = defaultDesignCovariance(dim);
  else {
    const m = toSizedMatrix(covariance, `${fn}: designCovariance`);
    if (m.size !== dim)
      throw new RangeError(`${fn}: designCovariance is ${m.size}×${m.size} but dim is ${dim}`);
    if (symmetryDefect(m.data, dim) > 1e-12) throw new RangeError(`${fn}: designCovariance is not symmetric`);
    s = m.data;
  }
  let l: Float64Array;
  try {
    l = cholesky(s, dim);
  } catch {
    throw new RangeError(`${fn}: designCovariance is not positive definite`);
  }
  const z = new Float64Array(dim);
  return {
    dim,
    covariance: s,
    factor: l,
    sample(rng, out) {
      for (let i = 0; i < dim; i++) z[i] = rng.normal();
      for (let i = 0; i < dim; i++) {
        const row = i * dim;
        let v = 0;
        for (let k = 0; k <= i; k++) v += l[row + k]! * z[k]!;
        out[i] = v;
      }
    },
  };
}
