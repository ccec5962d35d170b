export { KerasBatchNormalization, type KerasBatchNormalizationArgs } from './batchNormalization.js';
export { type BatchNormModeAccuracy, batchNormModeAccuracy } from './batchNormModeAccuracy.js';
export {
  BUILTIN_MODELS,
  MAX_RESNET_DEPTH,
  MAX_RESNET_FILTERS,
  mlpModel,
  resnetV1Model,
} from './builtinModels.js';
export { MLP_ACTIVATIONS, type MlpActivation, type MlpOptions, mlp } from './mlp.js';
export {
  buildModel,
  describeModel,
  type ModelContext,
  type ModelDefinition,
  type ModelSpec,
  modelDefinition,
  modelNames,
  normalizeModelSpec,
  registerModel,
} from './modelRegistry.js';
export { modelOutputKind, type OutputKind } from './outputKind.js';
export { type ParameterCounts, parameterCounts } from './parameterCounts.js';
export {
  type RecomputeBatchNormOptions,
  type RecomputedBatchNorm,
  recomputeBatchNormStatistics,
} from './recomputeBatchNormStatistics.js';
export { regularizationPenalty } from './regularizationPenalty.js';
export { type ResNetV1Options, resnetBlocksPerStack, resnetV1, resnetV1Size } from './resnetV1.js';
