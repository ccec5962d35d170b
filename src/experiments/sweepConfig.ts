import { dataSource } from '../data/sources/index.js';
import { type ModelSpec, normalizeModelSpec } from '../models/modelRegistry.js';
import { MAX_COUNT, normalizeMeasurementSpec, normalizeSchedule } from '../run/normalizeSpec.js';
import { type MeasurementSpec, type ScheduleSpec, shortHash } from '../run/runSpec.js';
import { LOSS_NAMES, type LossName } from '../train/losses.js';
import { rejectUnknownKeys } from '../util/knownKeys.js';

/**
 * A sweep: one training run for every loss × batch size × learning rate × seed, all sharing the data,
 * model, epochs, schedule and measurement settings. This is the normalized form that
 * {@link validateSweepConfig} returns (every field present, grids sorted ascending).
 */
export interface SweepConfig {
  /** A short name (e.g. the preset's); not part of the sweep's identity. */
  name: string;
  /** A sentence for humans; not part of the sweep's identity. */
  description: string;
  /** The registered data source (`cifar10`, `fashion-mnist`, `mnist`, `synthetic`, …). */
  dataset: string;
  /** The network, a registered model family and its options. */
  model: ModelSpec;
  /** Training examples used: the first `trainSize` of the training set, or `'all'`. */
  trainSize: number | 'all';
  /** Test examples used to compute the validation accuracy after each epoch, or `'all'`. */
  validationSize: number | 'all';
  /** Epochs of training. */
  epochs: number;
  /** Learning-rate schedule. */
  schedule: ScheduleSpec;
  /** Mini-batches drawn with replacement (Σ/m noise exactly) instead of an epoch-wise shuffle. */
  replacement: boolean;
  /** Losses to train with (one grid per loss). */
  losses: LossName[];
  /** Batch sizes m of the grid, ascending. */
  batchSizes: number[];
  /** Learning rates δ of the grid, ascending. */
  learningRates: number[];
  /** Seeds (initialization, batch order, probes), ascending. */
  seeds: number[];
  /** The end-of-training measurement. */
  measurement: MeasurementSpec;
}

/**
 * A sweep config as written in a JSON file: like {@link SweepConfig}, with defaults for most fields. The
 * model is `model: { name, options }`, or, for ResNet v1 (the presets' form), `depth` and `weightDecay`.
 */
export interface SweepConfigInput {
  /** See {@link SweepConfig.name}; default `custom`. */
  name?: string;
  /** See {@link SweepConfig.description}; default empty. */
  description?: string;
  /** The registered data source; default `cifar10`. */
  dataset?: string;
  /** The model; default ResNet v1 of `depth`. */
  model?: { name: string; options?: Record<string, unknown> };
  /** Shorthand for `model: { name: 'resnetV1', options: { depth } }`. */
  depth?: number;
  /** With `depth`: the ResNet's L2 penalty on the kernels; default 1e-4. */
  weightDecay?: number;
  /** Training examples used; default `'all'`. */
  trainSize?: number | 'all';
  /** Validation (test) examples used after each epoch; default `'all'`. */
  validationSize?: number | 'all';
  /** Epochs (required). */
  epochs: number;
  /** Step-decay schedule; default none (constant rate), factor 0.1. */
  schedule?: Partial<ScheduleSpec>;
  /** Batches with replacement; default false. */
  replacement?: boolean;
  /** Losses; default `['kld']`. */
  losses?: LossName[];
  /** Batch sizes (required). */
  batchSizes: number[];
  /** Learning rates (required). */
  learningRates: number[];
  /** Seeds; default `[0]`. */
  seeds?: number[];
  /** Measurement settings; defaults `DEFAULT_MEASUREMENT`. */
  measurement?: Partial<MeasurementSpec>;
}

/** A sweep config that is not valid; the message names the field and what is wrong with it. */
export class SweepConfigError extends Error {
  /** Always `'SweepConfigError'`. */
  override name = 'SweepConfigError';
}

const TOP_FIELDS = [
  'name',
  'description',
  'dataset',
  'model',
  'depth',
  'weightDecay',
  'trainSize',
  'validationSize',
  'epochs',
  'schedule',
  'replacement',
  'losses',
  'batchSizes',
  'learningRates',
  'seeds',
  'measurement',
] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
}

/** Re-throws an error of a shared validator as a {@link SweepConfigError} (same message). */
function asConfigError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof SweepConfigError) throw error;
    throw new SweepConfigError((error as Error).message);
  }
}

function modelOf(input: Record<string, unknown>, source: string): ModelSpec {
  if (input['model'] !== undefined) {
    if (input['depth'] !== undefined || input['weightDecay'] !== undefined)
      throw new SweepConfigError(
        `${source}: give either 'model' or the ResNet shorthand 'depth'/'weightDecay', not both`,
      );
    const model = input['model'];
    if (!isRecord(model) || typeof model['name'] !== 'string')
      throw new SweepConfigError(`${source}: field 'model' must be {name, options}, got ${show(model)}`);
    rejectUnknownKeys(source, 'model.', model, ['name', 'options'], (m) => new SweepConfigError(m));
    return asConfigError(() =>
      normalizeModelSpec(
        { name: model['name'] as string, options: (model['options'] ?? {}) as Record<string, unknown> },
        `${source}: model.options`,
      ),
    );
  }
  if (input['depth'] === undefined)
    throw new SweepConfigError(`${source}: field 'depth' (ResNet depth 6n+2, e.g. 20 or 56) or 'model' is required`);
  return asConfigError(() =>
    normalizeModelSpec(
      {
        name: 'resnetV1',
        options: {
          depth: input['depth'],
          ...(input['weightDecay'] !== undefined ? { weightDecay: input['weightDecay'] } : {}),
        },
      },
      source,
    ),
  );
}

/**
 * Checks a sweep config (parsed JSON or an object literal) and fills in the defaults.
 *
 * @remarks
 * Unknown fields are errors (with a suggestion for near misses), so a typo never silently falls back to a
 * default. The grids are sorted ascending and must not repeat a value. Defaults: dataset `cifar10`,
 * trainSize and validationSize `'all'`, no schedule (constant rate), no replacement, losses `['kld']`,
 * seeds `[0]`, measurement `DEFAULT_MEASUREMENT`; with the ResNet shorthand, weightDecay 1e-4.
 *
 * @param input - the config.
 * @param source - where it came from (a file name), quoted in error messages.
 * @returns the normalized config.
 * @throws {@link SweepConfigError} naming the first invalid field.
 */
export function validateSweepConfig(input: unknown, source = 'sweep config'): SweepConfig {
  const fail = (message: string): never => {
    throw new SweepConfigError(`${source}: ${message}`);
  };
  if (!isRecord(input)) return fail(`must be a JSON object, got ${show(input)}`);
  rejectUnknownKeys(source, '', input, TOP_FIELDS, (m) => new SweepConfigError(m));

  const integerField = (field: string, value: unknown, min: number): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_COUNT)
      fail(`field '${field}' must be an integer ≥ ${min}${value !== undefined && (value as number) > MAX_COUNT ? ` and ≤ ${MAX_COUNT}` : ''}, got ${show(value)}`);
    return value as number;
  };
  const sizeOrAll = (field: string, value: unknown): number | 'all' =>
    value === undefined || value === 'all' ? 'all' : integerField(field, value, 1);
  const grid = (field: string, value: unknown, check: (f: string, v: unknown) => number): number[] => {
    if (!Array.isArray(value) || value.length === 0) fail(`field '${field}' must be a non-empty array, got ${show(value)}`);
    const values = (value as unknown[]).map((v, i) => check(`${field}[${i}]`, v));
    const sorted = [...values].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i] === sorted[i - 1]) fail(`field '${field}' repeats the value ${sorted[i]}`);
    return sorted;
  };
  const text = (field: string, fallback: string): string => {
    const v = input[field] ?? fallback;
    if (typeof v !== 'string') fail(`field '${field}' must be a string, got ${show(v)}`);
    return v as string;
  };

  const dataset = text('dataset', 'cifar10');
  asConfigError(() => dataSource(dataset));
  const model = modelOf(input, source);
  const trainSize = sizeOrAll('trainSize', input['trainSize']);
  const validationSize = sizeOrAll('validationSize', input['validationSize']);
  if (input['epochs'] === undefined) fail(`field 'epochs' is required`);
  const epochs = integerField('epochs', input['epochs'], 1);
  const schedule = asConfigError(() =>
    normalizeSchedule(input['schedule'] ?? { boundaries: [], factor: 0.1 }, epochs, source),
  );
  const replacement = input['replacement'] ?? false;
  if (typeof replacement !== 'boolean') fail(`field 'replacement' must be true or false, got ${show(replacement)}`);

  const lossesInput = input['losses'] ?? ['kld'];
  if (!Array.isArray(lossesInput) || lossesInput.length === 0)
    fail(`field 'losses' must be a non-empty array of ${LOSS_NAMES.join(', ')}, got ${show(lossesInput)}`);
  const losses = (lossesInput as unknown[]).map((loss, i) => {
    if (!LOSS_NAMES.includes(loss as LossName))
      fail(`field 'losses[${i}]' must be one of ${LOSS_NAMES.join(', ')}, got ${show(loss)}`);
    return loss as LossName;
  });
  if (new Set(losses).size !== losses.length) fail(`field 'losses' repeats a loss: ${show(losses)}`);
  losses.sort((a, b) => LOSS_NAMES.indexOf(a) - LOSS_NAMES.indexOf(b));

  if (input['batchSizes'] === undefined) fail(`field 'batchSizes' is required`);
  const batchSizes = grid('batchSizes', input['batchSizes'], (f, v) => integerField(f, v, 1));
  if (input['learningRates'] === undefined) fail(`field 'learningRates' is required`);
  const learningRates = grid('learningRates', input['learningRates'], (f, v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(`field '${f}' must be a positive number, got ${show(v)}`);
    return v as number;
  });
  const seeds = grid('seeds', input['seeds'] ?? [0], (f, v) => integerField(f, v, 0));
  if (typeof trainSize === 'number') {
    const largest = batchSizes[batchSizes.length - 1] as number;
    if (largest > trainSize) fail(`field 'batchSizes' has ${largest}, more than 'trainSize' (${trainSize}) examples`);
  }
  const measurementInput = input['measurement'] ?? {};
  if (!isRecord(measurementInput)) fail(`field 'measurement' must be an object, got ${show(measurementInput)}`);
  const measurement = asConfigError(() =>
    normalizeMeasurementSpec(measurementInput as Record<string, unknown>, source),
  );
  if (typeof trainSize === 'number' && measurement.examples > trainSize)
    fail(`field 'measurement.examples' (${measurement.examples}) exceeds 'trainSize' (${trainSize})`);

  return {
    name: text('name', 'custom'),
    description: text('description', ''),
    dataset,
    model,
    trainSize,
    validationSize,
    epochs,
    schedule,
    replacement: replacement as boolean,
    losses,
    batchSizes,
    learningRates,
    seeds,
    measurement,
  };
}

/**
 * A short hash of everything that determines a sweep's results: the normalized config without its name
 * and description, plus whatever else the caller passes (the data's identity).
 *
 * @param config - a normalized config (from {@link validateSweepConfig}).
 * @param extra - further identity, e.g. `{ data: dataIdentity(spec) }`.
 * @returns 16 hex digits of a SHA-256.
 */
export function sweepConfigHash(config: SweepConfig, extra: Record<string, unknown> = {}): string {
  const { name: _name, description: _description, ...identity } = config;
  return shortHash({ ...identity, ...extra });
}

