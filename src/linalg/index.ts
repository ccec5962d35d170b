export {
  type SymmetricEigenResult,
  symmetricTridiagonalEigen,
  type TridiagonalEigenOptions,
} from './symmetricTridiagonalEigen.js';
