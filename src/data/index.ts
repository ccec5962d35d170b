export {
  type AugmentOptions,
  type BatchOrderOptions,
  epochBatches,
  gatherBatch,
} from './batches.js';
export {
  CIFAR10_CLASS_NAMES,
  CIFAR10_NUM_CLASSES,
} from './cifar10Format.js';
export {
  type Dataset,
  disposeDataset,
  exampleCount,
  exampleShape,
  type SplitDataset,
  sliceExamples,
} from './dataset.js';
export {
  type DatasetArrays,
  datasetArrays,
  datasetFromArrays,
} from './datasetArrays.js';
export {
  cachedCifar10Dir,
  type DownloadCifar10Options,
  defaultCifar10CacheDir,
  downloadCifar10,
} from './downloadCifar10.js';
export {
  cachedMnistLikeDir,
  type DownloadMnistLikeOptions,
  defaultMnistLikeCacheDir,
  downloadMnistLike,
} from './downloadMnistLike.js';
export {
  cachedFashionMnistDir,
  defaultFashionMnistCacheDir,
  downloadFashionMnist,
  loadFashionMnist,
} from './fashionMnist.js';
export { FASHION_MNIST_FORMAT } from './fashionMnistFormat.js';
export {
  type IdxArray,
  parseIdx,
  readIdxFile,
} from './idx.js';
export {
  type Cifar10Data,
  type Cifar10Preprocess,
  type LoadCifar10Options,
  loadCifar10,
} from './loadCifar10.js';
export { type LoadMnistLikeOptions, loadMnistLike, type MnistLikeData } from './loadMnistLike.js';
export { cachedMnistDir, defaultMnistCacheDir, downloadMnist, loadMnist } from './mnist.js';
export { MNIST_FORMAT } from './mnistFormat.js';
export {
  type ExpectedFile,
  MNIST_LIKE_NUM_CLASSES,
  type MnistLikeFileKey,
  type MnistLikeFormat,
} from './mnistLikeFormat.js';
export * from './sources/index.js';
export { type SyntheticCifar10Options, syntheticCifar10 } from './syntheticCifar10.js';
export {
  type DatasetSite,
  validateDataset,
} from './validateDataset.js';
export {
  type WriteCifar10BinaryOptions,
  type WrittenCifar10,
  writeCifar10Binary,
} from './writeCifar10Binary.js';
