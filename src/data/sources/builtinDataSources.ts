import { CIFAR10_NUM_CLASSES } from '../cifar10Format.js';
import { cachedCifar10Dir, defaultCifar10CacheDir, downloadCifar10 } from '../downloadCifar10.js';
import {
  cachedFashionMnistDir,
  defaultFashionMnistCacheDir,
  downloadFashionMnist,
  loadFashionMnist,
} from '../fashionMnist.js';
import { loadCifar10 } from '../loadCifar10.js';
import { cachedMnistDir, defaultMnistCacheDir, downloadMnist, loadMnist } from '../mnist.js';
import type { DataSourceDefinition } from './dataSource.js';
import { fileDataSource } from './fileDataSource.js';
import { syntheticDataSource } from './syntheticDataSource.js';

/** CIFAR-10 from its binary files (a directory, the verified cache, or a download). */
export const cifar10DataSource: DataSourceDefinition = fileDataSource({
  name: 'cifar10',
  summary: "CIFAR-10, 50,000 + 10,000 colour images 32×32×3, 10 classes (the paper's)",
  shape: { inputShape: [32, 32, 3], numClasses: CIFAR10_NUM_CLASSES, trainSize: 50000, testSize: 10000 },
  defaultCacheDir: defaultCifar10CacheDir,
  cachedDir: cachedCifar10Dir,
  download: ({ cacheDir, silent }) => downloadCifar10({ cacheDir, silent }),
  load: (options) => loadCifar10(options),
});

/**
 * Fashion-MNIST from its IDX files (e.g. Debian's `dataset-fashion-mnist` in
 * `/usr/share/datasets/fashion-mnist`), the verified cache, or a download.
 */
export const fashionMnistDataSource: DataSourceDefinition = fileDataSource({
  name: 'fashion-mnist',
  summary: 'Fashion-MNIST, 60,000 + 10,000 grey images 28×28×1 of clothing, 10 classes',
  shape: { inputShape: [28, 28, 1], numClasses: 10, trainSize: 60000, testSize: 10000 },
  defaultCacheDir: defaultFashionMnistCacheDir,
  cachedDir: cachedFashionMnistDir,
  download: ({ cacheDir, silent }) => downloadFashionMnist({ cacheDir, silent }),
  load: (options) => loadFashionMnist(options),
});

/** MNIST from its IDX files, the verified cache, or a download. */
export const mnistDataSource: DataSourceDefinition = fileDataSource({
  name: 'mnist',
  summary: 'MNIST, 60,000 + 10,000 grey images 28×28×1 of digits, 10 classes',
  shape: { inputShape: [28, 28, 1], numClasses: 10, trainSize: 60000, testSize: 10000 },
  defaultCacheDir: defaultMnistCacheDir,
  cachedDir: cachedMnistDir,
  download: ({ cacheDir, silent }) => downloadMnist({ cacheDir, silent }),
  load: (options) => loadMnist(options),
});

/** The data sources registered from the start. */
export const BUILTIN_DATA_SOURCES: readonly DataSourceDefinition[] = [
  cifar10DataSource,
  fashionMnistDataSource,
  mnistDataSource,
  syntheticDataSource,
];
