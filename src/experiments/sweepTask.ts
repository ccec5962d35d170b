import { join } from 'node:path';
import type { SweepConfig, SweepLoss, SweepMeasurement, SweepSchedule } from './sweepConfig.js';

/** Where a sweep's images come from. Plain data, so that it can be sent to a worker or another machine. */
export type SweepDataSource =
  | {
      /** CIFAR-10 from its binary files (downloaded beforehand, e.g. by the sweep command). */
      kind: 'cifar10';
      /** Directory holding `data_batch_1.bin` … `test_batch.bin` (or a `cifar-10-batches-bin` with them). */
      dir: string;
    }
  | {
      /** Seeded synthetic CIFAR-shaped images (tests, smoke runs). */
      kind: 'synthetic';
      /** Training images. */
      n: number;
      /** Test images (validation). */
      testN: number;
      /** Seed of the generator. */
      seed: number;
    };

/**
 * What about the data determines the results, for the sweep's identity: a CIFAR-10 directory may move,
 * but synthetic images depend on their sizes and seed.
 */
export function dataIdentity(data: SweepDataSource): Record<string, unknown> {
  return data.kind === 'cifar10'
    ? { kind: 'cifar10' }
    : { kind: 'synthetic', n: data.n, testN: data.testN, seed: data.seed };
}

/** Everything one training run needs, as plain JSON. */
export interface RunSpec {
  /** The loss trained with and measured. */
  loss: SweepLoss;
  /** Batch size m. */
  batchSize: number;
  /** Initial learning rate δ. */
  learningRate: number;
  /** Seed of the initialization, batch order and probes. */
  seed: number;
  /** ResNet depth. */
  depth: number;
  /** L2 penalty on the kernels. */
  weightDecay: number;
  /** Training examples used, or `'all'`. */
  trainSize: number | 'all';
  /** Validation (test) examples used, or `'all'`. */
  validationSize: number | 'all';
  /** Epochs. */
  epochs: number;
  /** Learning-rate schedule. */
  schedule: SweepSchedule;
  /** Batches with replacement. */
  replacement: boolean;
  /** The end-of-training measurement. */
  measurement: SweepMeasurement;
  /** The images. */
  data: SweepDataSource;
}

/** One unit of work handed to an executor: a run and the directory it keeps its files in. */
export interface SweepTask {
  /** The run id, e.g. `kld-bs100-lr0.08-seed0`. */
  id: string;
  /** `DIR/runs/<id>`: checkpoints and history live here. */
  runDir: string;
  /** The run. */
  spec: RunSpec;
}

/**
 * The deterministic, readable id of a run, e.g. `kld-bs100-lr0.08-seed0`. Numbers are written in
 * JavaScript's shortest round-trip form, so distinct rates give distinct ids.
 */
export function runId(spec: Pick<RunSpec, 'loss' | 'batchSize' | 'learningRate' | 'seed'>): string {
  return `${spec.loss}-bs${spec.batchSize}-lr${String(spec.learningRate)}-seed${spec.seed}`;
}

/**
 * The learning rate in effect during epoch `epoch` (0-based) under a step-decay schedule: the initial rate
 * times `factor` for every boundary ≤ epoch.
 */
export function scheduledLearningRate(learningRate: number, schedule: SweepSchedule, epoch: number): number {
  let rate = learningRate;
  for (const boundary of schedule.boundaries) if (epoch >= boundary) rate *= schedule.factor;
  return rate;
}

/**
 * Every run of a sweep, in the order they are started: seed by seed (so that a partial sweep already holds
 * whole grids), then loss, then batch size and learning rate ascending.
 *
 * @param config - a normalized config.
 * @param data - where the images come from.
 * @param dir - the sweep directory; each task's files go to `dir/runs/<id>`.
 */
export function sweepTasks(config: SweepConfig, data: SweepDataSource, dir: string): SweepTask[] {
  const tasks: SweepTask[] = [];
  for (const seed of config.seeds)
    for (const loss of config.losses)
      for (const batchSize of config.batchSizes)
        for (const learningRate of config.learningRates) {
          const spec: RunSpec = {
            loss,
            batchSize,
            learningRate,
            seed,
            depth: config.depth,
            weightDecay: config.weightDecay,
            trainSize: config.trainSize,
            validationSize: config.validationSize,
            epochs: config.epochs,
            schedule: config.schedule,
            replacement: config.replacement,
            measurement: config.measurement,
            data,
          };
          const id = runId(spec);
          tasks.push({ id, runDir: join(dir, 'runs', id), spec });
        }
  return tasks;
}
