export {
  type BlockTrace,
  type BlockTracesOptions,
  type BlockTracesResult,
  blockTraces,
} from './blockTraces.js';
export { compareDiagonals, type DiagonalComparison } from './compareDiagonals.js';
export {
  gaussianSmoothedDensity,
  type SmoothedDensity,
  type SmoothedDensityOptions,
} from './gaussianSmoothedDensity.js';
export {
  type DiagonalEstimate,
  type HutchinsonDiagonalOptions,
  hutchinsonDiagonal,
} from './hutchinsonDiagonal.js';
export { type HutchinsonOptions, type HutchinsonResult, hutchinsonTrace } from './hutchinsonTrace.js';
export { type HutchPlusPlusOptions, hutchPlusPlusTrace } from './hutchPlusPlusTrace.js';
export { integrateSpectralDensity } from './integrateSpectralDensity.js';
export { type AlignmentOptions, type AlignmentResult, operatorAlignment } from './operatorAlignment.js';
export type { ParameterBlock } from './parameterBlock.js';
export type { ProbeDistribution } from './probes.js';
export {
  type SpectralDensityOptions,
  type SpectralDensityResult,
  spectralDensity,
} from './spectralDensity.js';
export type { ProgressCallback, StochasticEstimate } from './stochasticEstimate.js';
export {
  type EigenvalueOrder,
  type TopEigenvaluesOptions,
  type TopEigenvaluesResult,
  topEigenvalues,
} from './topEigenvalues.js';
export { type XTraceOptions, type XTraceResult, xtrace } from './xtrace.js';
