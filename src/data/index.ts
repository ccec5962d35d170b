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
export type { Dataset, SplitDataset } from './dataset.js';
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
  type Cifar10Data,
  type Cifar10Preprocess,
  type LoadCifar10Options,
  loadCifar10,
} from './loadCifar10.js';
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
