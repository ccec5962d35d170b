import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { OptionReader } from '../../util/optionReader.js';
import type { SplitDataset } from '../dataset.js';
import type { DataSourceDefinition, DataSourceShape } from './dataSource.js';

/** The preprocessing a file-backed source offers (see `loadCifar10`). */
export const FILE_PREPROCESSING = ['pixelMean', 'scale'] as const;

/** What a file-backed data set provides to become a registered {@link DataSourceDefinition}. */
export interface FileDataSet {
  /** The registered name. */
  name: string;
  /** One line for help texts. */
  summary: string;
  /** Shape, classes and full sizes. */
  shape: DataSourceShape;
  /** The default download cache. */
  defaultCacheDir(): string;
  /** The verified files in a cache, or undefined when it holds no complete download. */
  cachedDir(cacheDir: string): string | undefined;
  /** Downloads and verifies into the cache; resolves to the files' directory. */
  download(options: { cacheDir: string; silent: boolean }): Promise<string>;
  /** Loads the first examples from a directory, preprocessed over the full training set. */
  load(options: {
    dir: string;
    limit?: number;
    testLimit?: number;
    preprocess: (typeof FILE_PREPROCESSING)[number];
  }): Promise<SplitDataset>;
}

/**
 * A registry entry for a data set read from files (CIFAR-10, Fashion-MNIST, MNIST): parameters
 * `{ preprocess: 'pixelMean' | 'scale' }` (default `pixelMean`), the files from a directory, the verified
 * cache, or a download into it.
 */
export function fileDataSource(set: FileDataSet): DataSourceDefinition {
  return {
    name: set.name,
    summary: set.summary,
    readsFiles: true,
    normalize(params, where) {
      const read = new OptionReader(where, params, ['preprocess']);
      return { preprocess: read.choice('preprocess', 'pixelMean', FILE_PREPROCESSING) };
    },
    shape: () => ({ ...set.shape, inputShape: [...set.shape.inputShape] }),
    async locate(options) {
      if (options.dir !== undefined) {
        const dir = resolve(options.dir);
        if (!existsSync(dir)) throw new Error(`${set.name}: data directory ${dir} does not exist`);
        if (!statSync(dir).isDirectory()) throw new Error(`${set.name}: ${dir} is not a directory`);
        return dir;
      }
      const cacheDir = resolve(options.cacheDir ?? set.defaultCacheDir());
      const cached = set.cachedDir(cacheDir);
      if (cached) return cached;
      if (!options.download)
        throw new RangeError(
          `${set.name}: no files given and none in the cache ${cacheDir}; give --data DIR or --download`,
        );
      return set.download({ cacheDir, silent: options.quiet });
    },
    load(spec) {
      if (spec.dir === null) throw new Error(`${set.name}: the data spec names no directory`);
      return set.load({
        dir: spec.dir,
        ...(spec.trainSize !== null ? { limit: spec.trainSize } : {}),
        ...(spec.testSize !== null ? { testLimit: spec.testSize } : {}),
        preprocess: spec.params['preprocess'] as (typeof FILE_PREPROCESSING)[number],
      });
    },
  };
}
