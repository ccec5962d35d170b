export { discreteStationaryCovariance } from './discreteStationaryCovariance.js';
export {
  expectedGradNormSqFourFactor,
  expectedLossFourFactor,
  type FourFactorGradArgs,
  type FourFactorLossArgs,
} from './fourFactor.js';
export { magnitudeDifference } from './magnitudeDifference.js';
export type { SymmetricInputOptions } from './spectralCovariance.js';
export { stationaryCovariance } from './stationaryCovariance.js';
export { expectedLossThreeFactor, type ThreeFactorArgs } from './threeFactor.js';
export { transientCovariance } from './transientCovariance.js';
