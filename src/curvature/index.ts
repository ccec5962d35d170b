export type { LayerTap, RoleTensors, WeightRole } from './batched/layerTap.js';
export { batchedUnsupportedReason, layerTaps } from './batched/layerTaps.js';
export { withTappedPass } from './batched/tappedPass.js';
export {
  type ExampleGradientNorms,
  exampleGradientNorms,
  forEachExampleGradientBatch,
  type ProjectedGradientSums,
  projectedGradientSums,
} from './batchedExampleGradients.js';
export * from './estimators/index.js';
export {
  batchGradient,
  directionalDerivatives,
  forEachExampleGradient,
  weightedGradientSum,
} from './exampleGradients.js';
export {
  type GradientCovarianceOperator,
  type GradientCovarianceOptions,
  gradientCovarianceOperator,
} from './gradientCovarianceOperator.js';
export {
  type HessianOperator,
  type HessianOperatorOptions,
  hessianOperator,
  type ObjectiveGradient,
} from './hessianOperator.js';
export { type DenseMatrix, type LinearOperator, matrixOperator } from './linearOperator.js';
export * from './parallel/index.js';
export {
  accumulateTensors,
  assertFlatVector,
  flattenTensors,
  flattenTensorsAsync,
  flattenWeights,
  parameterCount,
  parameterShapes,
  trainableVariables,
  unflattenToTensors,
} from './parameterVector.js';
export {
  type SecondOrderOp,
  secondOrderCorrect,
  secondOrderOpsOf,
  warnIfSecondOrderDefective,
} from './secondOrderCheck.js';
export {
  type BatchNormMode,
  checkParameterTensors,
  dotTensors,
  type ExampleRange,
  explainingOutOfMemory,
  type ObjectiveOptions,
  type TrainingObjective,
  trainingObjective,
} from './trainingObjective.js';
