/**
 * A symmetric linear operator known only through matrix–vector products, as curvlinops and SciPy model
 * curvature: the Hessian, the gradient covariance and dense test matrices all implement this, and the
 * trace and spectrum estimators are generic over it.
 *
 * @remarks
 * Vectors are flat float64 arrays of length `dim`. Operators over a network's parameters flatten the
 * trainable weights in `model.trainableWeights` order (see `flattenTensors` / `unflattenToTensors`), and
 * may also offer a tensor-list form. `matvec` may be synchronous or asynchronous; estimators always await it.
 */
export interface LinearOperator {
  /** Dimension n of the space the operator acts on (the number of trainable parameters for a network). */
  readonly dim: number;
  /** Returns A·v for a vector v of length `dim`; must not modify v. */
  matvec(v: Float64Array): Float64Array | Promise<Float64Array>;
}

/** A dense square matrix: an array of rows, or a row-major Float64Array with its size. */
export type DenseMatrix = number[][] | { data: Float64Array; size: number };

/**
 * Wraps a dense square matrix as a {@link LinearOperator} (float64 throughout), for tests against known
 * traces and spectra and for small exact problems.
 *
 * @param matrix - rows, or row-major data with its size.
 */
export function matrixOperator(matrix: DenseMatrix): LinearOperator & { readonly data: Float64Array } {
  let data: Float64Array;
  let n: number;
  if (Array.isArray(matrix)) {
    n = matrix.length;
    data = new Float64Array(n * n);
    matrix.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== n) {
        throw new RangeError(
          `matrixOperator: row ${i} has length ${row?.length}, expected ${n} (matrix must be square)`,
        );
      }
      for (let j = 0; j < n; j++) data[i * n + j] = row[j]!;
    });
  } else {
    n = matrix.size;
    data = matrix.data;
    if (!Number.isInteger(n) || n <= 0 || data.length !== n * n) {
      throw new RangeError(`matrixOperator: data has length ${data.length}, expected size² = ${n * n}`);
    }
  }
  return {
    dim: n,
    data,
    matvec(v) {
      if (v.length !== n) throw new RangeError(`matvec: vector has length ${v.length}, operator dim is ${n}`);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        const row = i * n;
        for (let j = 0; j < n; j++) s += data[row + j]! * v[j]!;
        out[i] = s;
      }
      return out;
    },
  };
}
