import type { Matrix } from 'mathjs';

/** A dense square matrix as row-major float64 data with its size (n×n, `data.length === size²`). */
export interface SizedMatrix {
  /** The entries, row by row: entry (i, j) at `data[i * size + j]`. */
  data: Float64Array;
  /** The number of rows (and columns). */
  size: number;
}

/**
 * The square-matrix forms the dense solvers accept: an array of rows, row-major float64 data with its
 * size, or a mathjs matrix (dense or sparse, real entries). Results come back in the form of the input.
 */
export type MatrixLike = number[][] | SizedMatrix | Matrix;

function isMathjsMatrix(x: unknown): x is Matrix {
  // Duck-typed (mathjs sets `isMatrix` on its matrix prototypes) so that the solvers do not load mathjs.
  return (
    typeof x === 'object' &&
    x !== null &&
    (x as { isMatrix?: unknown }).isMatrix === true &&
    typeof (x as { toArray?: unknown }).toArray === 'function'
  );
}

function entry(value: unknown, name: string, i: number, j: number): number {
  const v = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(v)) {
    throw new RangeError(`${name}[${i}][${j}] must be a finite real number, got ${String(value)}`);
  }
  return v;
}

function fromRows(rows: readonly unknown[], name: string): SizedMatrix {
  const n = rows.length;
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (!Array.isArray(row) || row.length !== n) {
      throw new RangeError(
        `${name}: row ${i} has length ${Array.isArray(row) ? row.length : 'n/a'}, expected ${n} (the matrix must be square)`,
      );
    }
    for (let j = 0; j < n; j++) data[i * n + j] = entry(row[j], name, i, j);
  }
  return { data, size: n };
}

/**
 * Reads a square matrix into a fresh row-major Float64Array (the input is never modified or aliased).
 *
 * @param matrix - rows, sized row-major data, or a mathjs matrix.
 * @param name - the argument's name, used in error messages.
 * @throws RangeError if the matrix is not square, has a non-finite entry, or is empty.
 */
export function toSizedMatrix(matrix: MatrixLike, name: string): SizedMatrix {
  let out: SizedMatrix;
  if (Array.isArray(matrix)) {
    out = fromRows(matrix, name);
  } else if (isMathjsMatrix(matrix)) {
    const size = matrix.size();
    if (size.length !== 2 || size[0] !== size[1]) {
      throw new RangeError(`${name}: expected a square 2-D matrix, got size [${size.join(', ')}]`);
    }
    out = fromRows(matrix.toArray() as unknown[], name);
  } else if (
    typeof matrix === 'object' &&
    matrix !== null &&
    (matrix as SizedMatrix).data instanceof Float64Array
  ) {
    const { data, size } = matrix as SizedMatrix;
    if (!Number.isInteger(size) || size < 0 || data.length !== size * size) {
      throw new RangeError(`${name}: data has length ${data.length}, expected size² with size = ${size}`);
    }
    for (let k = 0; k < data.length; k++) {
      if (!Number.isFinite(data[k]!)) entry(data[k], name, Math.floor(k / size), k % size);
    }
    out = { data: Float64Array.from(data), size };
  } else {
    throw new TypeError(`${name}: expected number[][], { data: Float64Array, size } or a mathjs matrix`);
  }
  if (out.size === 0) throw new RangeError(`${name}: the matrix is empty`);
  return out;
}

/**
 * Returns row-major data in the same form as `like` (rows, sized data, or a mathjs matrix of the same
 * storage type), so that a solver hands back what it was given.
 */
export function fromSizedMatrix<T extends MatrixLike>(result: SizedMatrix, like: T): T {
  const { data, size: n } = result;
  if (!Array.isArray(like) && !isMathjsMatrix(like)) return { data, size: n } as T;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(data.subarray(i * n, (i + 1) * n)));
  if (Array.isArray(like)) return rows as T;
  // `create` builds a matrix of the same class (dense or sparse) without importing mathjs here.
  return (like as unknown as { create(data: number[][]): T }).create(rows);
}

/** A dense rows×cols matrix as row-major float64 data: entry (i, j) at `data[i * cols + j]`. */
export interface RectangularMatrix {
  /** The entries, row by row. */
  data: Float64Array;
  /** The number of rows. */
  rows: number;
  /** The number of columns. */
  cols: number;
}

/**
 * The forms a possibly non-square argument accepts (e.g. the input matrix B of
 * `solveContinuousRiccati`): an array of equally long rows, `{ data, rows, cols }`, a square
 * {@link SizedMatrix}, or a 2-D mathjs matrix.
 */
export type RectangularMatrixLike = number[][] | RectangularMatrix | SizedMatrix | Matrix;

/**
 * Reads a rows×cols matrix into a fresh row-major Float64Array (never modified or aliased).
 *
 * @param matrix - rows, `{ data, rows, cols }`, `{ data, size }` or a mathjs matrix.
 * @param name - the argument's name, used in error messages.
 * @throws RangeError for ragged rows, a shape that does not match the data, a non-finite entry or an
 *   empty matrix; TypeError for anything else.
 */
export function toRectangularMatrix(matrix: RectangularMatrixLike, name: string): RectangularMatrix {
  if (typeof matrix === 'object' && matrix !== null && 'size' in matrix && !isMathjsMatrix(matrix)) {
    const { data, size } = toSizedMatrix(matrix, name);
    return { data, rows: size, cols: size };
  }
  let rowsOf: unknown[];
  if (Array.isArray(matrix)) {
    rowsOf = matrix;
  } else if (isMathjsMatrix(matrix)) {
    const size = matrix.size();
    if (size.length !== 2)
      throw new RangeError(`${name}: expected a 2-D matrix, got size [${size.join(', ')}]`);
    rowsOf = matrix.toArray() as unknown[];
  } else if (
    typeof matrix === 'object' &&
    matrix !== null &&
    (matrix as RectangularMatrix).data instanceof Float64Array
  ) {
    const { data, rows, cols } = matrix as RectangularMatrix;
    if (
      !Number.isInteger(rows) ||
      !Number.isInteger(cols) ||
      rows < 1 ||
      cols < 1 ||
      data.length !== rows * cols
    ) {
      throw new RangeError(
        `${name}: data has length ${data.length}, expected rows·cols with rows = ${rows}, cols = ${cols} (both ≥ 1)`,
      );
    }
    for (let k = 0; k < data.length; k++) {
      if (!Number.isFinite(data[k]!)) entry(data[k], name, Math.floor(k / cols), k % cols);
    }
    return { data: Float64Array.from(data), rows, cols };
  } else {
    throw new TypeError(
      `${name}: expected number[][], { data: Float64Array, rows, cols }, { data, size } or a mathjs matrix`,
    );
  }
  const rows = rowsOf.length;
  const first = rowsOf[0];
  const cols = Array.isArray(first) ? first.length : 0;
  if (rows === 0 || cols === 0) throw new RangeError(`${name}: the matrix is empty`);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = rowsOf[i];
    if (!Array.isArray(row) || row.length !== cols) {
      throw new RangeError(
        `${name}: row ${i} has length ${Array.isArray(row) ? row.length : 'n/a'}, expected ${cols} (rows must be equally long)`,
      );
    }
    for (let j = 0; j < cols; j++) data[i * cols + j] = entry(row[j], name, i, j);
  }
  return { data, rows, cols };
}

/**
 * A square matrix given either in any {@link MatrixLike} form, or as the typed-array core's row-major
 * `(data, n)` pair: the one input convention of the dense linalg functions. The `(data, n)` form is
 * checked and used as is (the functions never modify it); the others are read by {@link toSizedMatrix}.
 *
 * @param fn - the function's name, for messages.
 * @param a - the matrix, or its row-major data when `n` is given.
 * @param n - the size, exactly when `a` is a bare Float64Array.
 * @throws RangeError or TypeError naming `fn` when the input is malformed.
 */
export function squareMatrixInput(
  fn: string,
  a: MatrixLike | Float64Array,
  n: number | undefined,
): SizedMatrix {
  if (a instanceof Float64Array) {
    if (n === undefined || !Number.isInteger(n) || n < 0 || a.length !== n * n) {
      throw new RangeError(
        `${fn}: data has length ${a.length}, expected n² with n = ${String(n)} (pass (data, n) or a MatrixLike)`,
      );
    }
    return { data: a, size: n };
  }
  if (n !== undefined) throw new TypeError(`${fn}: the size n goes with a bare Float64Array only`);
  return toSizedMatrix(a, `${fn}: A`);
}
