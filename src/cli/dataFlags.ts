import { type DataRequest, dataSource, dataSourceNames } from '../data/sources/index.js';
import { UsageError } from './command.js';
import { integerFlag } from './flags.js';

/** The `parseArgs` options of the data flags that `train`, `measure` and `sweep` share. */
export const DATA_FLAG_OPTIONS = {
  dataset: { type: 'string' },
  data: { type: 'string' },
  download: { type: 'boolean' },
  synthetic: { type: 'string' },
  'data-seed': { type: 'string' },
} as const;

/** The values of {@link DATA_FLAG_OPTIONS} as `parseArgs` returns them. */
export interface DataFlagValues {
  dataset?: string | undefined;
  data?: string | undefined;
  download?: boolean | undefined;
  synthetic?: string | undefined;
  'data-seed'?: string | undefined;
}

/** Help lines of the shared data flags. */
export function dataFlagsUsage(): string {
  const sources = dataSourceNames().map((name) => `${name} (${dataSource(name).summary})`);
  return `  --dataset NAME       the data set: ${sources.join('; ')} (default cifar10)
  --data DIR           the data set's files in DIR (e.g. /usr/share/datasets/fashion-mnist)
  --download           download the data set (verified) into the cache unless already there
  --synthetic N        N seeded synthetic images instead (same as --dataset synthetic)
  --data-seed S        seed of the synthetic images (default 0)`;
}

/** Whether any data flag was given. */
export function hasDataFlags(values: DataFlagValues): boolean {
  return (
    values.dataset !== undefined ||
    values.data !== undefined ||
    Boolean(values.download) ||
    values.synthetic !== undefined ||
    values['data-seed'] !== undefined
  );
}

/**
 * The data request the flags describe.
 *
 * @param values - the parsed flags.
 * @param sizes - training and test examples to use (null: all).
 * @throws UsageError for contradicting or missing flags.
 */
export function dataRequestFromFlags(
  values: DataFlagValues,
  sizes: { trainSize: number | null; testSize: number | null },
): DataRequest {
  const synthetic = integerFlag('--synthetic', values.synthetic, 1);
  const name = values.dataset ?? (synthetic !== undefined ? 'synthetic' : 'cifar10');
  let source: ReturnType<typeof dataSource>;
  try {
    source = dataSource(name);
  } catch (error) {
    throw new UsageError(`--dataset: ${(error as Error).message}`);
  }
  if (!source.readsFiles) {
    if (values.data !== undefined || values.download)
      throw new UsageError(`--dataset ${name} is generated: give --synthetic N, not --data or --download`);
    if (synthetic === undefined) throw new UsageError(`--dataset ${name} needs --synthetic N (the number of training images)`);
    const seed = integerFlag('--data-seed', values['data-seed'], 0) ?? 0;
    // The test set is as large as asked (a sweep's validationSize, --test-limit), else a fifth of n.
    return { name, params: { n: synthetic, seed, ...(sizes.testSize !== null ? { testN: sizes.testSize } : {}) }, ...sizes };
  }
  if (synthetic !== undefined) throw new UsageError(`give --synthetic N or --dataset ${name}, not both`);
  if (values['data-seed'] !== undefined) throw new UsageError(`--data-seed applies to synthetic data only, not ${name}`);
  if (values.data !== undefined && values.download) throw new UsageError('give only one of --data DIR and --download');
  return {
    name,
    ...(values.data !== undefined ? { dir: values.data } : {}),
    download: Boolean(values.download),
    ...sizes,
  };
}
