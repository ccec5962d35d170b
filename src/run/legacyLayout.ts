// Readers of the first on-disk layout (before one run layout served every command): sweep histories
// `{ epochs: [{ epoch (1-based), trainLoss, trainAccuracy, valLoss, valAccuracy, learningRate, seconds }] }`,
// `train`'s bare array of epoch records, and results.jsonl lines without `hash`/`spec` whose `final` had the
// sweep-history shape. They convert to today's types, so `report` reads old sweep directories.
import type { DataSpec } from '../data/sources/dataSource.js';
import { syntheticDataSource } from '../data/sources/syntheticDataSource.js';
import type { EpochRecord } from '../train/history.js';
import type { RunRecord } from './runResult.js';

function isLegacyEpoch(value: Record<string, unknown>): boolean {
  return 'trainAccuracy' in value && 'learningRate' in value;
}

/** One epoch of either layout as an {@link EpochRecord}. */
export function epochFromAnyLayout(value: Record<string, unknown>): EpochRecord {
  if (!isLegacyEpoch(value)) return value as unknown as EpochRecord;
  const optional = (x: unknown) => (typeof x === 'number' ? x : undefined);
  const valLoss = optional(value['valLoss']);
  const valAccuracy = optional(value['valAccuracy']);
  return {
    epoch: (value['epoch'] as number) - 1,
    lr: value['learningRate'] as number,
    loss: value['trainLoss'] as number,
    regularization: Number.NaN,
    accuracy: value['trainAccuracy'] as number,
    ...(valLoss !== undefined ? { valLoss } : {}),
    ...(valAccuracy !== undefined ? { valAccuracy } : {}),
    examples: Number.NaN,
    trainSeconds: value['seconds'] as number,
    seconds: value['seconds'] as number,
  };
}

/** A history file's content of either layout as epoch records. */
export function historyFromAnyLayout(value: unknown, path: string): EpochRecord[] {
  const epochs = Array.isArray(value) ? value : (value as { epochs?: unknown } | null)?.epochs;
  if (!Array.isArray(epochs)) throw new Error(`${path} has no 'epochs' array`);
  return epochs.map((e, i) => {
    if (typeof e !== 'object' || e === null) throw new Error(`${path}: epochs[${i}] is not an object`);
    return epochFromAnyLayout(e as Record<string, unknown>);
  });
}

/** A result record of either layout in today's shape. */
export function recordFromAnyLayout(value: Record<string, unknown>): RunRecord {
  const record = value as unknown as RunRecord;
  return {
    ...record,
    hash: typeof value['hash'] === 'string' ? (value['hash'] as string) : '',
    spec: (value['spec'] as RunRecord['spec']) ?? null,
    final:
      typeof value['final'] === 'object' && value['final'] !== null
        ? epochFromAnyLayout(value['final'] as Record<string, unknown>)
        : record.final,
  };
}

/**
 * The data of a first-layout sweep manifest (`{ kind: 'cifar10', dir }` or
 * `{ kind: 'synthetic', n, testN, seed }`) as a data spec of the registry.
 *
 * @throws Error naming the file for any other shape.
 */
export function dataSpecFromFirstLayout(
  source: Record<string, unknown>,
  sizes: { trainSize: number | 'all'; validationSize: number | 'all' },
  path: string,
): DataSpec {
  const size = (s: number | 'all') => (s === 'all' ? null : s);
  const common = { trainSize: size(sizes.trainSize), testSize: size(sizes.validationSize) };
  if (source['kind'] === 'cifar10')
    return { name: 'cifar10', dir: String(source['dir']), ...common, params: { preprocess: 'pixelMean' } };
  if (source['kind'] === 'synthetic')
    return {
      name: 'synthetic',
      dir: null,
      ...common,
      params: syntheticDataSource.normalize(
        { n: source['n'], testN: source['testN'], seed: source['seed'] },
        path,
      ),
    };
  throw new Error(`${path}: unknown data source ${JSON.stringify(source)}`);
}
