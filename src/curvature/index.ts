export { type DenseMatrix, type LinearOperator, matrixOperator } from './linearOperator.js';
