import { OptionReader } from '../../util/optionReader.js';
import { disposeDataset, sliceExamples } from '../dataset.js';
import { syntheticCifar10 } from '../syntheticCifar10.js';
import type { DataSourceDefinition } from './dataSource.js';

/**
 * The most synthetic pixel values the registry generates (2 GiB of float32): a bound against typos such as
 * `--synthetic 2000000000`, which would otherwise run out of memory before any error.
 */
export const MAX_SYNTHETIC_VALUES = 2 ** 29;

/**
 * Seeded synthetic images ({@link syntheticCifar10}): parameters `n` (training examples), `testN`
 * (default round(n/5), at least 1), `seed` (default 0), `height`/`width`/`channels` (default 32×32×3),
 * `numClasses` (default 10) and `noise` (default 1).
 */
export const syntheticDataSource: DataSourceDefinition = {
  name: 'synthetic',
  summary: 'seeded synthetic images (any size) for trials and tests; not a real data set',
  readsFiles: false,
  normalize(params, where) {
    const read = new OptionReader(where, params, [
      'n',
      'testN',
      'seed',
      'height',
      'width',
      'channels',
      'numClasses',
      'noise',
    ]);
    const n = read.integer('n', undefined, 1, MAX_SYNTHETIC_VALUES);
    const normalized = {
      n,
      testN: read.integer('testN', Math.max(1, Math.round(n / 5)), 1, MAX_SYNTHETIC_VALUES),
      seed: read.integer('seed', 0, 0, 2 ** 32 - 1),
      height: read.integer('height', 32, 1, 4096),
      width: read.integer('width', 32, 1, 4096),
      channels: read.integer('channels', 3, 1, 64),
      numClasses: read.integer('numClasses', 10, 2, 1000),
      noise: read.number('noise', 1, 0, 100),
    };
    const values =
      (normalized.n + normalized.testN) * normalized.height * normalized.width * normalized.channels;
    if (values > MAX_SYNTHETIC_VALUES)
      throw new RangeError(
        `${where}: ${normalized.n} + ${normalized.testN} synthetic images of ${normalized.height}×${normalized.width}×${normalized.channels} need ${((values * 4) / 2 ** 30).toFixed(1)} GiB, more than the bound of ${(MAX_SYNTHETIC_VALUES * 4) / 2 ** 30} GiB`,
      );
    return normalized;
  },
  shape: (params) => ({
    inputShape: [params['height'], params['width'], params['channels']] as number[],
    numClasses: params['numClasses'] as number,
    trainSize: params['n'] as number,
    testSize: params['testN'] as number,
  }),
  async load(spec) {
    const p = spec.params as Record<string, number>;
    const full = syntheticCifar10({
      n: p['n'] as number,
      testN: p['testN'] as number,
      seed: p['seed'] as number,
      height: p['height'] as number,
      width: p['width'] as number,
      channels: p['channels'] as number,
      numClasses: p['numClasses'] as number,
      noise: p['noise'] as number,
    });
    const head = (data: typeof full.train, count: number | null) => {
      if (count === null || count === data.images.shape[0]) return data;
      const part = sliceExamples(data, 0, count);
      disposeDataset(data);
      return part;
    };
    return { train: head(full.train, spec.trainSize), test: head(full.test, spec.testSize) };
  },
};
