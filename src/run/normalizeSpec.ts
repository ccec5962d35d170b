import { BATCH_NORM_MODES } from '../curvature/trainingObjective.js';
import { BATCH_NORM_STATISTICS, TRACE_ESTIMATORS } from '../experiments/measureMinimum.js';
import { NOISE_METHODS } from '../noise/gradientNoise.js';
import { LOSS_NAMES } from '../train/losses.js';
import { OptionReader } from '../util/optionReader.js';
import {
  DEFAULT_MEASUREMENT,
  type MeasurementSpec,
  type ScheduleSpec,
  type TrainingSpec,
} from './runSpec.js';

/** The largest batch size, epoch count or example count a spec accepts: beyond it is a typo. */
export const MAX_COUNT = 10_000_000;

const MEASUREMENT_FIELDS = [...Object.keys(DEFAULT_MEASUREMENT), 'perLayer'];

/**
 * Checks measurement settings (a sweep config's `measurement`, or `measure`'s flags) and fills in
 * {@link DEFAULT_MEASUREMENT}. The one validator of measurement settings: errors start with `where` and
 * name the field.
 */
export function normalizeMeasurementSpec(
  input: Readonly<Record<string, unknown>>,
  where: string,
  path = 'measurement.',
): MeasurementSpec {
  const read = new OptionReader(where, input, MEASUREMENT_FIELDS, path);
  const d = DEFAULT_MEASUREMENT;
  const estimator = read.choice('estimator', d.estimator, TRACE_ESTIMATORS);
  const probes = read.integer('probes', d.probes, 1, MAX_COUNT);
  if (estimator !== 'hutchinson' && probes < 4)
    throw new RangeError(
      `${where}: field '${path}probes' must be ≥ 4 for the ${estimator} estimator, got ${probes}`,
    );
  const spec: MeasurementSpec = {
    estimator,
    probes,
    examples: read.integer('examples', d.examples, 2, MAX_COUNT),
    batchSize: read.integer('batchSize', d.batchSize, 1, MAX_COUNT),
    noise: read.choice('noise', d.noise, NOISE_METHODS),
    // measureMinimum always estimates tr(σ²H) (0 would fail only after training, at the measurement).
    sigmaHProbes: read.integer('sigmaHProbes', d.sigmaHProbes, 1, MAX_COUNT),
    topEigenvalues: read.integer('topEigenvalues', d.topEigenvalues, 0, 1000),
    bnMode: read.choice('bnMode', d.bnMode, BATCH_NORM_MODES),
    bnStatistics: read.choice('bnStatistics', d.bnStatistics, BATCH_NORM_STATISTICS),
    includeRegularization: read.boolean('includeRegularization', d.includeRegularization),
    minibatchSize: read.integer('minibatchSize', d.minibatchSize, 1, MAX_COUNT),
    minibatches: read.integer('minibatches', d.minibatches, 1, MAX_COUNT),
  };
  if (read.boolean('perLayer', false)) {
    if (estimator !== 'hutchinson' || probes < 2 || spec.noise !== 'perExample')
      throw new RangeError(
        `${where}: field '${path}perLayer' needs estimator 'hutchinson' with probes ≥ 2 and noise 'perExample', got ${estimator}, ${probes}, ${spec.noise}`,
      );
    spec.perLayer = true;
  }
  return spec;
}

/** The paper's schedule scaled to no decay: a constant rate. */
const CONSTANT_RATE: ScheduleSpec = { boundaries: [], factor: 0.1 };

/**
 * Checks a step-decay schedule against the number of epochs: boundaries strictly increasing in
 * [1, epochs), factor in (0, 1].
 */
export function normalizeSchedule(input: unknown, epochs: number, where: string): ScheduleSpec {
  if (input === undefined) return { ...CONSTANT_RATE, boundaries: [] };
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new RangeError(
      `${where}: schedule must be an object {boundaries, factor}, got ${JSON.stringify(input)}`,
    );
  const read = new OptionReader(
    where,
    input as Record<string, unknown>,
    ['boundaries', 'factor'],
    'schedule.',
  );
  const boundaries = read.integers('boundaries', [], 1, MAX_COUNT, 1000);
  for (let i = 0; i < boundaries.length; i++) {
    if ((boundaries[i] as number) >= epochs)
      throw new RangeError(
        `${where}: field 'schedule.boundaries[${i}]' (${boundaries[i]}) must be less than 'epochs' (${epochs})`,
      );
    if (i > 0 && (boundaries[i] as number) <= (boundaries[i - 1] as number))
      throw new RangeError(
        `${where}: field 'schedule.boundaries' must be strictly increasing, got [${boundaries.join(', ')}]`,
      );
  }
  const factor = read.positive('factor', 0.1, 1);
  return { boundaries, factor };
}

/**
 * Checks training settings (from `train`'s flags or one grid point of a sweep) and fills in defaults:
 * momentum 0, seed 0, constant rate, no replacement, no augmentation.
 */
export function normalizeTrainingSpec(input: Readonly<Record<string, unknown>>, where: string): TrainingSpec {
  const read = new OptionReader(where, input, [
    'loss',
    'learningRate',
    'batchSize',
    'epochs',
    'momentum',
    'seed',
    'schedule',
    'replacement',
    'augment',
  ]);
  const epochs = read.integer('epochs', undefined, 0, MAX_COUNT);
  const augment = input['augment'] ?? null;
  if (augment !== null) {
    const a = new OptionReader(where, augment as Record<string, unknown>, ['padCrop', 'flip'], 'augment.');
    a.integer('padCrop', 0, 0, 64);
    a.boolean('flip', false);
  }
  return {
    loss: read.choice('loss', 'kld', LOSS_NAMES),
    learningRate: read.positive('learningRate', undefined, 1e6),
    batchSize: read.integer('batchSize', undefined, 1, MAX_COUNT),
    epochs,
    momentum: read.number('momentum', 0, 0, 0.999999),
    seed: read.integer('seed', 0, 0, 2 ** 32 - 1),
    schedule: normalizeSchedule(input['schedule'], epochs, where),
    replacement: read.boolean('replacement', false),
    augment: augment as TrainingSpec['augment'],
  };
}
