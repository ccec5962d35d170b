export { KerasBatchNormalization, type KerasBatchNormalizationArgs } from './batchNormalization.js';
export { type BatchNormModeAccuracy, batchNormModeAccuracy } from './batchNormModeAccuracy.js';
export { heNormalValues } from './heNormal.js';
export { modelOutputKind, type OutputKind } from './outputKind.js';
export { type ParameterCounts, parameterCounts } from './parameterCounts.js';
export {
  type RecomputeBatchNormOptions,
  type RecomputedBatchNorm,
  recomputeBatchNormStatistics,
} from './recomputeBatchNormStatistics.js';
export { regularizationPenalty } from './regularizationPenalty.js';
export { type LayerCall, withReplacedLayerCalls } from './replaceLayerCalls.js';
export { type ResNetV1Options, resnetBlocksPerStack, resnetV1 } from './resnetV1.js';
