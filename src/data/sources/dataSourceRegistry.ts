import { closestName } from '../../util/knownKeys.js';
import type { SplitDataset } from '../dataset.js';
import { BUILTIN_DATA_SOURCES } from './builtinDataSources.js';
import type { DataSourceDefinition, DataSourceShape, DataSpec } from './dataSource.js';

const registry = new Map<string, DataSourceDefinition>(BUILTIN_DATA_SOURCES.map((s) => [s.name, s]));

/**
 * Adds a data source to the registry, so that run specs, sweep configs and `--dataset` can name it.
 *
 * @throws Error when the name is taken by another definition.
 */
export function registerDataSource(definition: DataSourceDefinition): void {
  const existing = registry.get(definition.name);
  if (existing && existing !== definition)
    throw new Error(`registerDataSource: a data source named '${definition.name}' is already registered`);
  registry.set(definition.name, definition);
}

/** The names of the registered data sources, in registration order. */
export function dataSourceNames(): string[] {
  return [...registry.keys()];
}

/**
 * The registered data source of this name.
 *
 * @throws Error naming the unknown source, the nearest registered one and the list.
 */
export function dataSource(name: string): DataSourceDefinition {
  const definition = registry.get(name);
  if (definition) return definition;
  const close = closestName(name, dataSourceNames());
  throw new Error(
    `unknown dataset '${name}'${close ? ` (did you mean '${close}'?)` : ''}; registered datasets: ${dataSourceNames().join(', ')}`,
  );
}

/** What {@link prepareDataSpec} needs: the source, where its files are, and how much of it to use. */
export interface DataRequest {
  /** The registered source. */
  name: string;
  /** Its parameters (checked by the source); default none. */
  params?: Record<string, unknown>;
  /** A directory holding its files (file-backed sources). */
  dir?: string;
  /** Download into the cache when no directory is given and the cache is empty. Default false. */
  download?: boolean;
  /** Cache directory of downloads; default the source's own. */
  cacheDir?: string;
  /** Training examples to use (the first ones); default all. */
  trainSize?: number | null;
  /** Test examples to use; default all. */
  testSize?: number | null;
  /** Print no download progress. */
  quiet?: boolean;
}

function checkSize(
  where: string,
  field: string,
  value: number | null | undefined,
  available: number,
  what: string,
): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${where}: ${field} must be a positive integer, got ${value}`);
  if (value > available) throw new RangeError(`${where}: ${field} ${value} exceeds the ${available} ${what}`);
  return value;
}

/**
 * Turns a request into a {@link DataSpec}: checks the parameters, bounds the sizes by what the source
 * holds, and finds the files (downloading them when asked), so that loading cannot fail half-way for a
 * reason known now.
 *
 * @param request - the source and how much of it.
 * @param where - quoted at the start of error messages (a command or file name).
 */
export async function prepareDataSpec(request: DataRequest, where: string): Promise<DataSpec> {
  const source = dataSource(request.name);
  const params = source.normalize(request.params ?? {}, `${where}: dataset ${source.name}`);
  const shape = source.shape(params);
  const trainSize = checkSize(
    where,
    'trainSize',
    request.trainSize,
    shape.trainSize,
    `training examples ${source.name} has`,
  );
  const testSize = checkSize(
    where,
    'testSize',
    request.testSize,
    shape.testSize,
    `test examples ${source.name} has`,
  );
  let dir: string | null = null;
  if (source.readsFiles) {
    if (!source.locate)
      throw new Error(`${where}: data source ${source.name} reads files but cannot locate them`);
    dir = await source.locate({
      ...(request.dir !== undefined ? { dir: request.dir } : {}),
      ...(request.cacheDir !== undefined ? { cacheDir: request.cacheDir } : {}),
      download: request.download ?? false,
      quiet: request.quiet ?? false,
    });
  } else if (request.dir !== undefined || request.download) {
    throw new RangeError(`${where}: dataset ${source.name} is generated; it takes no directory or download`);
  }
  return { name: source.name, dir, trainSize, testSize, params };
}

/** Shape, classes and sizes of the data a spec describes (after its `trainSize`/`testSize`). */
export function dataSpecShape(spec: DataSpec): DataSourceShape {
  const full = dataSource(spec.name).shape(spec.params);
  return { ...full, trainSize: spec.trainSize ?? full.trainSize, testSize: spec.testSize ?? full.testSize };
}

/** Loads the data a spec describes (new tensors the caller disposes). */
export function loadData(spec: DataSpec): Promise<SplitDataset> {
  return dataSource(spec.name).load(spec);
}

/** What about a data spec determines results: everything but where the files happen to be. */
export function dataIdentity(spec: DataSpec): Record<string, unknown> {
  const { dir: _dir, ...identity } = spec;
  return identity;
}
