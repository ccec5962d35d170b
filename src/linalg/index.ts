export { cholesky, choleskySolve } from './cholesky.js';
export { type HessenbergReduction, hessenberg } from './hessenberg.js';
export { householderTridiagonal, type TridiagonalReduction } from './householderTridiagonal.js';
export { type LUFactorization, luFactor, luInverse } from './lu.js';
export {
  fromSizedMatrix,
  type MatrixLike,
  type RectangularMatrix,
  type RectangularMatrixLike,
  type SizedMatrix,
  toRectangularMatrix,
  toSizedMatrix,
} from './matrixLike.js';
export { matmul, matmulTransposeB, transpose } from './matrixMultiply.js';
export {
  type MatrixLayout,
  orthonormalizeColumns,
  type QROptions,
  type RangeBasisOptions,
  type RangeBasisResult,
  rangeBasis,
  type ThinQRResult,
  thinQR,
} from './qr.js';
export { type RealSchurResult, realSchur } from './realSchur.js';
export { solveContinuousRiccati, solveContinuousRiccatiDense } from './solveContinuousRiccati.js';
export { solveLyapunov, solveLyapunovDense, solveQuasiTriangularLyapunov } from './solveLyapunov.js';
export { type SymmetricEigenOptions, symmetricEigen, symmetryDefect } from './symmetricEigen.js';
export {
  type SymmetricEigenResult,
  symmetricTridiagonalEigen,
  type TridiagonalEigenOptions,
} from './symmetricTridiagonalEigen.js';
