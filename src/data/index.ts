export {
  type AugmentOptions,
  type BatchOrderOptions,
  epochBatches,
  gatherBatch,
} from './batches.js';
export {
  CIFAR10_ARCHIVE_DIR,
  CIFAR10_CLASS_NAMES,
  CIFAR10_NUM_CLASSES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_RECORDS_PER_FILE,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
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
  checkDatasetArrays,
  copyDatasetArrays,
  type DatasetArrays,
  datasetArrays,
  datasetFromArrays,
} from './datasetArrays.js';
export {
  CIFAR10_ARCHIVE_BYTES,
  CIFAR10_ARCHIVE_MD5,
  CIFAR10_URL,
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
  MNIST_LIKE_CACHE_MARKER,
  MNIST_LIKE_CACHE_SUBDIR,
} from './downloadMnistLike.js';
export {
  cachedFashionMnistDir,
  defaultFashionMnistCacheDir,
  downloadFashionMnist,
  loadFashionMnist,
} from './fashionMnist.js';
export { FASHION_MNIST_FORMAT } from './fashionMnistFormat.js';
export {
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  IDX_UBYTE_TYPE,
  type IdxArray,
  isGzip,
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
  MNIST_LIKE_FILE_KEYS,
  MNIST_LIKE_FILE_NAMES,
  MNIST_LIKE_NUM_CLASSES,
  MNIST_LIKE_PIXELS,
  MNIST_LIKE_SIDE,
  type MnistLikeFileKey,
  type MnistLikeFormat,
} from './mnistLikeFormat.js';
export { type SyntheticCifar10Options, syntheticCifar10 } from './syntheticCifar10.js';
export {
  type DatasetSite,
  modelOutputUnits,
  validateDataset,
  validateLabels,
} from './validateDataset.js';
export {
  type WriteCifar10BinaryOptions,
  type WrittenCifar10,
  writeCifar10Binary,
} from './writeCifar10Binary.js';
