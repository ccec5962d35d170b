export type { Rng } from '../util/random.js';
export {
  type FactorsDemoOptions,
  type FactorsDemoResult,
  type FactorsDemoRow,
  formatFactorsDemoTable,
  runFactorsDemo,
} from './factorsDemo.js';
export { factorsDemoSvg } from './factorsDemoPlot.js';
export { createGaussianDesign, defaultDesignCovariance, type GaussianDesign } from './gaussianDesign.js';
export {
  createLinearRegression,
  type LinearRegressionModel,
  type LinearRegressionOptions,
} from './linearRegression.js';
export {
  type LinearRegressionStationaryMoments,
  linearRegressionStationaryCovariance,
} from './linearRegressionStationaryCovariance.js';
export {
  createLogisticRegression,
  type LogisticRegressionModel,
  type LogisticRegressionOptions,
} from './logisticRegression.js';
export { normalExpectation, sigmoid, softplus } from './normalExpectation.js';
export {
  type BatchMeansEstimate,
  type SgdSimulationOptions,
  type SgdSimulationResult,
  simulateSgd,
} from './simulateSgd.js';
export { type SamplingMode, type SolvableModel, traces } from './solvableModel.js';
