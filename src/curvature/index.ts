export { type DenseMatrix, type LinearOperator, matrixOperator } from './linearOperator.js';
export * from './estimators/index.js';
