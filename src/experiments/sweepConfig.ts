import { createHash } from 'node:crypto';
import type { NoiseMethod } from '../noise/gradientNoise.js';
import { TRACE_ESTIMATORS, type TraceEstimatorName } from './measureMinimum.js';

/**
 * A loss a sweep can train with (trainSGD's built-in names): `kld` is Keras' Kullback–Leibler divergence
 * Σ y·log(y/ŷ) of the paper's Figure 2 and Table 1; `crossEntropy` is the log loss; `squaredError` is
 * Σ (y − ŷ)², whose gradient in ŷ is the difference y − ŷ, one reading of the paper's "gradient of the
 * logistic loss" (Figure 3).
 */
export type SweepLoss = 'kld' | 'crossEntropy' | 'squaredError';

/** Every {@link SweepLoss}, in the order reports list them. */
export const SWEEP_LOSSES: readonly SweepLoss[] = ['kld', 'crossEntropy', 'squaredError'];

/** The ways measureMinimum can measure tr σ² (see its `noise` option). */
const NOISE_METHODS: readonly NoiseMethod[] = ['perExample', 'minibatch', 'twoBatch'];

/** A step-decay learning-rate schedule: the rate is multiplied by `factor` at each boundary epoch. */
export interface SweepSchedule {
  /** 0-based epochs from which the next decay applies (the paper: [60, 100] of 125), strictly increasing. */
  boundaries: number[];
  /** The multiplier at each boundary, in (0, 1] (the paper: 0.1). */
  factor: number;
}

/** The measurement made at the end of each run (the options of measureMinimum it sets). */
export interface SweepMeasurement {
  /** The estimator of Tr H (`hutchinson`, `hutchpp` or `xtrace`). */
  estimator: TraceEstimatorName;
  /** Hessian–vector products of the Tr H estimator (its probes, or its budget). */
  probes: number;
  /** The first `examples` training images, over which Tr H, tr σ², tr(σ²H), f and |∇f|² are measured. */
  examples: number;
  /** Examples per forward/backward pass while measuring (memory and speed, not results). */
  batchSize: number;
  /** How tr σ² is measured: `perExample` (exact over the examples), `minibatch` or `twoBatch`. */
  noise: NoiseMethod;
  /** Probes of the tr(σ²H) estimate (Eq. (13)). */
  sigmaHProbes: number;
}

/**
 * A sweep: one training run for every loss × batch size × learning rate × seed, all sharing the model,
 * data size, epochs, schedule and measurement settings. This is the normalized form that
 * {@link validateSweepConfig} returns (every field present, grids sorted ascending).
 */
export interface SweepConfig {
  /** A short name (e.g. the preset's); not part of the sweep's identity. */
  name: string;
  /** A sentence for humans; not part of the sweep's identity. */
  description: string;
  /** ResNet depth 6n+2 (the paper: 56). */
  depth: number;
  /** L2 penalty on the convolution and dense kernels (the paper's Figure 1: 1e-4). */
  weightDecay: number;
  /** Training examples used: the first `trainSize` of the training set, or `'all'`. */
  trainSize: number | 'all';
  /** Test examples used to compute the validation accuracy after each epoch, or `'all'`. */
  validationSize: number | 'all';
  /** Epochs of training. */
  epochs: number;
  /** Learning-rate schedule. */
  schedule: SweepSchedule;
  /** Mini-batches drawn with replacement (Σ/m noise exactly) instead of an epoch-wise shuffle. */
  replacement: boolean;
  /** Losses to train with (one grid per loss). */
  losses: SweepLoss[];
  /** Batch sizes m of the grid, ascending. */
  batchSizes: number[];
  /** Learning rates δ of the grid, ascending. */
  learningRates: number[];
  /** Seeds (initialization, batch order, probes), ascending. */
  seeds: number[];
  /** The end-of-training measurement. */
  measurement: SweepMeasurement;
}

/** A sweep config as written in a JSON file: like {@link SweepConfig}, with defaults for most fields. */
export interface SweepConfigInput {
  /** See {@link SweepConfig.name}; default `custom`. */
  name?: string;
  /** See {@link SweepConfig.description}; default empty. */
  description?: string;
  /** ResNet depth 6n+2 (required). */
  depth: number;
  /** L2 penalty on the kernels; default 1e-4. */
  weightDecay?: number;
  /** Training examples used; default `'all'`. */
  trainSize?: number | 'all';
  /** Validation (test) examples used after each epoch; default `'all'`. */
  validationSize?: number | 'all';
  /** Epochs (required). */
  epochs: number;
  /** Step-decay schedule; default none (constant rate), factor 0.1. */
  schedule?: Partial<SweepSchedule>;
  /** Batches with replacement; default false. */
  replacement?: boolean;
  /** Losses; default `['kld']`. */
  losses?: SweepLoss[];
  /** Batch sizes (required). */
  batchSizes: number[];
  /** Learning rates (required). */
  learningRates: number[];
  /** Seeds; default `[0]`. */
  seeds?: number[];
  /** Measurement settings; defaults {@link DEFAULT_SWEEP_MEASUREMENT}. */
  measurement?: Partial<SweepMeasurement>;
}

/** A sweep config that is not valid; the message names the field and what is wrong with it. */
export class SweepConfigError extends Error {
  /** Always `'SweepConfigError'`. */
  override name = 'SweepConfigError';
}

const TOP_FIELDS = [
  'name',
  'description',
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
const SCHEDULE_FIELDS = ['boundaries', 'factor'] as const;
const MEASUREMENT_FIELDS = ['estimator', 'probes', 'examples', 'batchSize', 'noise', 'sigmaHProbes'] as const;

/** Default measurement settings: cheap enough for a CPU, enough probes for a few-percent standard error. */
export const DEFAULT_SWEEP_MEASUREMENT: SweepMeasurement = {
  estimator: 'hutchinson',
  probes: 10,
  examples: 1000,
  batchSize: 250,
  noise: 'perExample',
  sigmaHProbes: 10,
};

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

function checkKnownFields(
  where: string,
  value: Record<string, unknown>,
  known: readonly string[],
  fail: (m: string) => never,
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const close = known.filter((k) => editDistance(k, key) <= 2);
    fail(
      `unknown field '${where}${key}'${close.length ? ` (did you mean '${where}${close[0]}'?)` : ''}; known fields: ${known.join(', ')}`,
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
}

/**
 * Checks a sweep config (parsed JSON or an object literal) and fills in the defaults.
 *
 * @remarks
 * Unknown fields are errors (with a suggestion for near misses), so a typo never silently falls back to a
 * default. The grids are sorted ascending and must not repeat a value. Defaults: weightDecay 1e-4,
 * trainSize and validationSize `'all'`, no schedule (constant rate), no replacement, losses `['kld']`,
 * seeds `[0]`, measurement {@link DEFAULT_SWEEP_MEASUREMENT}.
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
  checkKnownFields('', input, TOP_FIELDS, fail);

  const positiveInteger = (field: string, value: unknown, min = 1): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
      fail(`field '${field}' must be an integer ≥ ${min}, got ${show(value)}`);
    return value as number;
  };
  const sizeOrAll = (field: string, value: unknown): number | 'all' => {
    if (value === undefined || value === 'all') return 'all';
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      fail(`field '${field}' must be a positive integer or 'all', got ${show(value)}`);
    return value as number;
  };
  const grid = (field: string, value: unknown, check: (f: string, v: unknown) => number): number[] => {
    if (!Array.isArray(value) || value.length === 0)
      fail(`field '${field}' must be a non-empty array, got ${show(value)}`);
    const values = (value as unknown[]).map((v, i) => check(`${field}[${i}]`, v));
    const sorted = [...values].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i] === sorted[i - 1]) fail(`field '${field}' repeats the value ${sorted[i]}`);
    return sorted;
  };
  const positiveNumber = (field: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      fail(`field '${field}' must be a positive number, got ${show(v)}`);
    return v as number;
  };
  const optionalString = (field: string, v: unknown, fallback: string): string => {
    if (v === undefined) return fallback;
    if (typeof v !== 'string') fail(`field '${field}' must be a string, got ${show(v)}`);
    return v as string;
  };

  const name = optionalString('name', input['name'], 'custom');
  const description = optionalString('description', input['description'], '');
  if (input['depth'] === undefined) fail(`field 'depth' is required (ResNet depth 6n+2, e.g. 20 or 56)`);
  const depth = positiveInteger('depth', input['depth'], 8);
  if ((depth - 2) % 6 !== 0) fail(`field 'depth' must be of the form 6n+2 (8, 14, 20, …, 56), got ${depth}`);
  let weightDecay = 1e-4;
  if (input['weightDecay'] !== undefined) {
    const w = input['weightDecay'];
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      fail(`field 'weightDecay' must be a non-negative number, got ${show(w)}`);
    weightDecay = w as number;
  }
  const trainSize = sizeOrAll('trainSize', input['trainSize']);
  const validationSize = sizeOrAll('validationSize', input['validationSize']);
  if (input['epochs'] === undefined) fail(`field 'epochs' is required`);
  const epochs = positiveInteger('epochs', input['epochs']);

  const scheduleInput = input['schedule'] ?? {};
  if (!isRecord(scheduleInput))
    fail(`field 'schedule' must be an object {boundaries, factor}, got ${show(scheduleInput)}`);
  const scheduleRecord = scheduleInput as Record<string, unknown>;
  checkKnownFields('schedule.', scheduleRecord, SCHEDULE_FIELDS, fail);
  const boundariesInput = scheduleRecord['boundaries'] ?? [];
  if (!Array.isArray(boundariesInput))
    fail(`field 'schedule.boundaries' must be an array of epochs, got ${show(boundariesInput)}`);
  const boundaries = (boundariesInput as unknown[]).map((b, i) => {
    const epoch = positiveInteger(`schedule.boundaries[${i}]`, b);
    if (epoch >= epochs)
      fail(`field 'schedule.boundaries[${i}]' (${epoch}) must be less than 'epochs' (${epochs})`);
    return epoch;
  });
  for (let i = 1; i < boundaries.length; i++)
    if ((boundaries[i] as number) <= (boundaries[i - 1] as number))
      fail(`field 'schedule.boundaries' must be strictly increasing, got ${show(boundaries)}`);
  const factorInput = scheduleRecord['factor'] ?? 0.1;
  if (typeof factorInput !== 'number' || !(factorInput > 0 && factorInput <= 1))
    fail(`field 'schedule.factor' must be a number in (0, 1], got ${show(factorInput)}`);
  const factor = factorInput as number;

  const replacementInput = input['replacement'] ?? false;
  if (typeof replacementInput !== 'boolean')
    fail(`field 'replacement' must be true or false, got ${show(replacementInput)}`);

  const lossesInput = input['losses'] ?? ['kld'];
  if (!Array.isArray(lossesInput) || lossesInput.length === 0)
    fail(`field 'losses' must be a non-empty array of ${SWEEP_LOSSES.join(', ')}, got ${show(lossesInput)}`);
  const losses = (lossesInput as unknown[]).map((loss, i) => {
    if (!SWEEP_LOSSES.includes(loss as SweepLoss))
      fail(`field 'losses[${i}]' must be one of ${SWEEP_LOSSES.join(', ')}, got ${show(loss)}`);
    return loss as SweepLoss;
  });
  if (new Set(losses).size !== losses.length) fail(`field 'losses' repeats a loss: ${show(losses)}`);
  losses.sort((a, b) => SWEEP_LOSSES.indexOf(a) - SWEEP_LOSSES.indexOf(b));

  if (input['batchSizes'] === undefined) fail(`field 'batchSizes' is required`);
  const batchSizes = grid('batchSizes', input['batchSizes'], (f, v) => positiveInteger(f, v));
  if (input['learningRates'] === undefined) fail(`field 'learningRates' is required`);
  const learningRates = grid('learningRates', input['learningRates'], positiveNumber);
  const seeds = grid('seeds', input['seeds'] ?? [0], (f, v) => positiveInteger(f, v, 0));
  if (typeof trainSize === 'number') {
    const largest = batchSizes[batchSizes.length - 1] as number;
    if (largest > trainSize)
      fail(`field 'batchSizes' has ${largest}, more than 'trainSize' (${trainSize}) examples`);
  }

  const measurementInput = input['measurement'] ?? {};
  if (!isRecord(measurementInput))
    fail(`field 'measurement' must be an object, got ${show(measurementInput)}`);
  const m = measurementInput as Record<string, unknown>;
  checkKnownFields('measurement.', m, MEASUREMENT_FIELDS, fail);
  const estimator = m['estimator'] ?? DEFAULT_SWEEP_MEASUREMENT.estimator;
  if (!TRACE_ESTIMATORS.includes(estimator as TraceEstimatorName))
    fail(
      `field 'measurement.estimator' must be one of ${TRACE_ESTIMATORS.join(', ')}, got ${show(estimator)}`,
    );
  const noise = m['noise'] ?? DEFAULT_SWEEP_MEASUREMENT.noise;
  if (!NOISE_METHODS.includes(noise as NoiseMethod))
    fail(`field 'measurement.noise' must be one of ${NOISE_METHODS.join(', ')}, got ${show(noise)}`);
  const measurement: SweepMeasurement = {
    estimator: estimator as TraceEstimatorName,
    probes: positiveInteger('measurement.probes', m['probes'] ?? DEFAULT_SWEEP_MEASUREMENT.probes),
    examples: positiveInteger('measurement.examples', m['examples'] ?? DEFAULT_SWEEP_MEASUREMENT.examples),
    batchSize: positiveInteger(
      'measurement.batchSize',
      m['batchSize'] ?? DEFAULT_SWEEP_MEASUREMENT.batchSize,
    ),
    noise: noise as NoiseMethod,
    sigmaHProbes: positiveInteger(
      'measurement.sigmaHProbes',
      m['sigmaHProbes'] ?? DEFAULT_SWEEP_MEASUREMENT.sigmaHProbes,
    ),
  };
  if (measurement.estimator !== 'hutchinson' && measurement.probes < 4)
    fail(
      `field 'measurement.probes' must be ≥ 4 for the ${measurement.estimator} estimator, got ${measurement.probes}`,
    );
  if (typeof trainSize === 'number' && measurement.examples > trainSize)
    fail(`field 'measurement.examples' (${measurement.examples}) exceeds 'trainSize' (${trainSize})`);

  return {
    name,
    description,
    depth,
    weightDecay,
    trainSize,
    validationSize,
    epochs,
    schedule: { boundaries, factor },
    replacement: replacementInput as boolean,
    losses,
    batchSizes,
    learningRates,
    seeds,
    measurement,
  };
}

/** JSON with object keys sorted at every level, so equal values always serialize equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A short hash of everything that determines a sweep's results: the normalized config without its name
 * and description, plus whatever else the caller passes (the data source's identity).
 *
 * @param config - a normalized config (from {@link validateSweepConfig}).
 * @param extra - further identity, e.g. `{ data: { kind: 'cifar10' } }`.
 * @returns 16 hex digits of a SHA-256.
 */
export function sweepConfigHash(config: SweepConfig, extra: Record<string, unknown> = {}): string {
  const { name: _name, description: _description, ...identity } = config;
  return createHash('sha256')
    .update(canonicalJson({ ...identity, ...extra }))
    .digest('hex')
    .slice(0, 16);
}
