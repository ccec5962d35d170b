export { type Estimate, exactEstimate } from './estimate.js';
export {
  type GradientNoise,
  type GradientNoiseOptions,
  gradientNoise,
  type MeasureProgress,
  NOISE_METHODS,
  type NoiseMethod,
} from './gradientNoise.js';
export { pairedRatio, ratioWithStandardError, type SampleMean, sampleMean } from './statistics.js';
