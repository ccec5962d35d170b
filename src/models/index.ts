export { KerasBatchNormalization, type KerasBatchNormalizationArgs } from './batchNormalization.js';
export { heNormalValues } from './heNormal.js';
export { modelOutputKind, type OutputKind } from './outputKind.js';
export { type ParameterCounts, parameterCounts } from './parameterCounts.js';
export { regularizationPenalty } from './regularizationPenalty.js';
export { type ResNetV1Options, resnetBlocksPerStack, resnetV1, resnetV1Size } from './resnetV1.js';
