/**
 * sgd-factors: train networks with SGD at a chosen learning rate and batch size, measure the loss Hessian
 * and the gradient-noise covariance at the end of training, and test SDE theory against them.
 *
 * The root holds what research code imports: backend set-up, models, data, training, the curvature
 * operators and estimators, gradient noise, the theory's predictions, the Lyapunov and Riccati solvers and
 * the measurement of a minimum. Everything else is behind a subpath (`sgd-factors/curvature`, `/linalg`,
 * `/theory`, `/solvable`, `/experiments`, `/report`, `/io`, `/data`, `/models`, `/train`, `/noise`, `/run`,
 * `/backend`); docs/api-surface.md lists them.
 *
 * @packageDocumentation
 */

// Backend. `tf` is the tfjs-core this library computes with: tensors made with it live on the same engine
// and backend as the library's (a second, separately resolved tfjs-core would not see them). Imported, then
// exported, because api-extractor cannot analyse `export * as` of another package.
import * as tf from '@tensorflow/tfjs-core';

export {
  activeBackend,
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
  initBackend,
  type OnednnStatus,
} from './backend/index.js';
// Curvature operators: H, the GGN (= Fisher), the empirical Fisher and σ² as matrix-free operators.
// Estimators: traces, diagonals, per-block traces, extreme eigenvalues, spectral density, alignment.
export {
  type AlignmentOptions,
  type AlignmentResult,
  BATCH_NORM_MODES,
  type BatchNormMode,
  type BlockTrace,
  type BlockTracesOptions,
  type BlockTracesResult,
  blockTraces,
  compareDiagonals,
  type DenseMatrix,
  type DiagonalComparison,
  type DiagonalEstimate,
  type EigenvalueOrder,
  type EmpiricalFisherOperator,
  type ExampleGradientDiagonals,
  type ExampleGradientDiagonalsOptions,
  type ExampleRange,
  empiricalFisherOperator,
  exampleGradientDiagonals,
  type GgnOperator,
  type GgnOptions,
  type GradientCovarianceOperator,
  type GradientCovarianceOptions,
  gradientCovarianceOperator,
  type HessianOperator,
  type HessianOperatorOptions,
  type HutchinsonDiagonalOptions,
  type HutchinsonOptions,
  type HutchinsonResult,
  type HutchPlusPlusOptions,
  hessianOperator,
  hutchinsonDiagonal,
  hutchinsonTrace,
  hutchPlusPlusTrace,
  type LinearOperator,
  matrixOperator,
  type ObjectiveGradient,
  type ObjectiveOptions,
  operatorAlignment,
  type ParameterBlock,
  type ProbeDistribution,
  type ProgressCallback,
  parameterBlocks,
  parameterCount,
  type SpectralDensityOptions,
  type SpectralDensityResult,
  type StochasticEstimate,
  spectralDensity,
  type TopEigenvaluesOptions,
  type TopEigenvaluesResult,
  type TrainingObjective,
  topEigenvalues,
  type XTraceOptions,
  type XTraceResult,
  xtrace,
} from './curvature/index.js';
// Data: built-in sources and the registry, plain arrays, CIFAR-10 / (Fashion-)MNIST loaders.
export {
  type AugmentOptions,
  type Cifar10Data,
  type Cifar10Preprocess,
  type DataRequest,
  type DataSourceDefinition,
  type DataSourceShape,
  type DataSpec,
  type Dataset,
  type DatasetArrays,
  type DownloadCifar10Options,
  type DownloadMnistLikeOptions,
  dataSource,
  dataSourceNames,
  datasetArrays,
  datasetFromArrays,
  disposeDataset,
  type ExpectedFile,
  type LoadCifar10Options,
  type LoadMnistLikeOptions,
  type LocateOptions,
  loadCifar10,
  loadData,
  loadFashionMnist,
  loadMnist,
  type MnistLikeData,
  type MnistLikeFileKey,
  registerDataSource,
  type SplitDataset,
  type SyntheticCifar10Options,
  syntheticCifar10,
} from './data/index.js';
// The measurement of a minimum, in memory or on a run directory.
export {
  BATCH_NORM_STATISTICS,
  type BatchNormReport,
  type BatchNormStatistics,
  type BlockMeasurement,
  type MeasureMinimumOptions,
  type MeasureSettings,
  type MinimumMeasurement,
  measureMinimum,
  type TopEigenvaluesMeasurement,
  TRACE_ESTIMATORS,
  type TraceEstimatorName,
} from './experiments/index.js';
// Model weights, saved and loaded as safetensors.
export { type LoadWeightsOptions, loadWeights, saveWeights } from './io/index.js';
// Lyapunov and Riccati solvers, the symmetric eigensolver, and the matrix forms they all take.
export {
  type MatrixLike,
  type RectangularMatrix,
  type RectangularMatrixLike,
  type SizedMatrix,
  type SymmetricEigenOptions,
  type SymmetricEigenResult,
  solveContinuousRiccati,
  solveContinuousRiccatiDense,
  solveLyapunov,
  solveLyapunovDense,
  symmetricEigen,
} from './linalg/index.js';
// Models: the registry and the built-in families.
export {
  BUILTIN_MODELS,
  buildModel,
  describeModel,
  MLP_ACTIVATIONS,
  type MlpActivation,
  type MlpOptions,
  type ModelContext,
  type ModelDefinition,
  type ModelSpec,
  mlp,
  modelDefinition,
  modelNames,
  type OutputKind,
  type ParameterCounts,
  parameterCounts,
  type RecomputeBatchNormOptions,
  type RecomputedBatchNorm,
  type ResNetV1Options,
  recomputeBatchNormStatistics,
  registerModel,
  resnetV1,
} from './models/index.js';
// Gradient noise σ²: its trace and tr(σ²H).
export {
  type Estimate,
  type GradientNoise,
  type GradientNoiseOptions,
  gradientNoise,
  type MeasureProgress,
  NOISE_METHODS,
  type NoiseMethod,
} from './noise/index.js';
// Training and measuring on run directories (config.json, checkpoints, result.json).
export {
  type MeasurementSpec,
  type MeasureRunOptions,
  measureRun,
  type RunEstimate,
  type RunMeasurement,
  type RunRecord,
  type RunSpec,
  type ScheduleSpec,
  type TrainedRun,
  type TrainingSpec,
  type TrainRunOptions,
  trainRun,
} from './run/index.js';
// The theory's predictions: Eqs. (6), (12), (13) and the covariances behind them.
export {
  discreteStationaryCovariance,
  expectedGradNormSqFourFactor,
  expectedLossFourFactor,
  expectedLossThreeFactor,
  type FourFactorGradArgs,
  type FourFactorLossArgs,
  magnitudeDifference,
  type SymmetricInputOptions,
  stationaryCovariance,
  type ThreeFactorArgs,
  transientCovariance,
} from './theory/index.js';
// Training.
export {
  type BatchEndInfo,
  type CurvatureTracking,
  type EpochRecord,
  type EvaluateOptions,
  type Evaluation,
  evaluateModel,
  type LearningRateSchedule,
  LOSS_NAMES,
  type LossFunction,
  type LossName,
  type LossSpec,
  NonFiniteLossError,
  PAPER_SCHEDULE,
  type ResolvedLoss,
  type StepDecaySchedule,
  stepDecay,
  type TrackedCurvature,
  type TrackedEigenvalue,
  type TrackedQuantity,
  type TrainResult,
  type TrainSGDOptions,
  trainSGD,
} from './train/index.js';
// The events every long call's onProgress receives.
export type { ProgressEvent, ProgressListener, ProgressUnit } from './util/progress.js';
export { tf };
