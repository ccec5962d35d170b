export {
  type ExampleGradientNorms,
  exampleGradientNorms,
  forEachExampleGradientBatch,
  type ProjectedGradientSums,
  projectedGradientSums,
} from './batchedExampleGradients.js';
export { type EmpiricalFisherOperator, empiricalFisherOperator } from './empiricalFisherOperator.js';
export * from './estimators/index.js';
export {
  type ExampleGradientDiagonals,
  type ExampleGradientDiagonalsOptions,
  exampleGradientDiagonals,
} from './exampleGradientDiagonals.js';
export {
  batchGradient,
  directionalDerivatives,
  forEachExampleGradient,
  weightedGradientSum,
} from './exampleGradients.js';
export { type GgnOperator, type GgnOptions, ggnOperator } from './ggnOperator.js';
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
export { parameterBlocks } from './parameterBlocks.js';
export {
  flattenTensors,
  flattenWeights,
  parameterCount,
  parameterShapes,
  trainableVariables,
  unflattenToTensors,
} from './parameterVector.js';
export {} from './secondOrderCheck.js';
export {
  BATCH_NORM_MODES,
  type BatchNormMode,
  type ExampleRange,
  type ObjectiveOptions,
  type TrainingObjective,
  trainingObjective,
} from './trainingObjective.js';
