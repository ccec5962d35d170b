import { CIFAR10_NUM_CLASSES } from '../cifar10Format.js';
import { cachedCifar10Dir, defaultCifar10CacheDir, downloadCifar10 } from '../downloadCifar10.js';
import { loadCifar10 } from '../loadCifar10.js';
import type { DataSourceDefinition } from './dataSource.js';
import { fileDataSource } from './fileDataSource.js';
import { syntheticDataSource } from './syntheticDataSource.js';

/** CIFAR-10 from its binary files (a directory, the verified cache, or a download). */
export const cifar10DataSource: DataSourceDefinition = fileDataSource({
  name: 'cifar10',
  summary: 'CIFAR-10, 50,000 + 10,000 colour images 32×32×3, 10 classes (the paper\'s)',
  shape: { inputShape: [32, 32, 3], numClasses: CIFAR10_NUM_CLASSES, trainSize: 50000, testSize: 10000 },
  defaultCacheDir: defaultCifar10CacheDir,
  cachedDir: cachedCifar10Dir,
  download: ({ cacheDir, silent }) => downloadCifar10({ cacheDir, silent }),
  load: (options) => loadCifar10(options),
});

/** The data sources registered from the start. */
export const BUILTIN_DATA_SOURCES: readonly DataSourceDefinition[] = [cifar10DataSource, syntheticDataSource];
