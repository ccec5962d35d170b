import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { AugmentOptions } from '../data/batches.js';
import { type ResNetV1Options, resnetV1 } from '../models/resnetV1.js';
import type { LossName } from './losses.js';
import type { StepDecaySchedule } from './schedule.js';

/** The file name of a run's configuration inside its directory. */
export const RUN_CONFIG_FILE = 'config.json';

/** Where a run's data came from, enough to load the same data again. */
export type RunDataSource =
  | {
      /** CIFAR-10 binary files. */
      kind: 'cifar10';
      /** The directory they were read from (absolute). */
      dir: string;
      /** Training records used (the first `limit`), or null for all. */
      limit: number | null;
      /** Test records used, or null for all. */
      testLimit: number | null;
      /** Preprocessing (see `loadCifar10`). */
      preprocess: 'pixelMean' | 'scale';
      /** File (in the run directory) holding the subtracted per-pixel mean as `pixel_mean` [32, 32, 3], if any. */
      pixelMeanFile: string | null;
    }
  | {
      /** `syntheticCifar10` data. */
      kind: 'synthetic';
      /** Training examples. */
      n: number;
      /** Test examples. */
      testN: number;
      /** Data seed. */
      seed: number;
    };

/**
 * What `sgd-factors train` ran, written to `<run>/config.json`, so that later commands can rebuild the
 * model ({@link modelFromRunConfig}), load the same data and know the training settings.
 */
export interface TrainRunConfig {
  /** Identifies the file. */
  format: 'sgd-factors-train-run';
  /** Layout version. */
  version: 1;
  /** The architecture: resnetV1 options (all defaults filled in). */
  model: { kind: 'resnetV1' } & Required<Omit<ResNetV1Options, 'inputShape'>> & {
      inputShape: [number, number, number];
    };
  /** The data. */
  data: RunDataSource;
  /** The training settings given to trainSGD. */
  training: {
    lr: number;
    batchSize: number;
    epochs: number;
    momentum: number;
    loss: LossName;
    seed: number;
    schedule: StepDecaySchedule;
    replacement: boolean;
    augment: AugmentOptions | null;
  };
  /** The tfjs backend asked for on the command line (`auto` when chosen automatically). */
  backend: string;
  /** Files of the run, relative to its directory. */
  files: { weights: string; history: string; checkpoints: string };
}

/**
 * Reads `<dir>/config.json`, written by `sgd-factors train`.
 *
 * @param dir - the run directory (`--out`).
 * @returns the configuration.
 * @throws Error when the file is missing, unreadable or not a train-run configuration.
 */
export function readRunConfig(dir: string): TrainRunConfig {
  const path = join(dir, RUN_CONFIG_FILE);
  let config: TrainRunConfig;
  try {
    config = JSON.parse(readFileSync(path, 'utf8')) as TrainRunConfig;
  } catch (error) {
    throw new Error(
      `readRunConfig: cannot read ${path} (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (config?.format !== 'sgd-factors-train-run' || config.version !== 1 || config.model?.kind !== 'resnetV1')
    throw new Error(`readRunConfig: ${path} is not an sgd-factors train-run configuration`);
  return config;
}

/**
 * Builds the (untrained) model a run's configuration describes; load the run's weights into it with
 * `loadWeights(model, join(dir, config.files.weights))`.
 *
 * @param config - the run configuration.
 * @returns a new model of the same architecture and initialization seed.
 */
export function modelFromRunConfig(config: TrainRunConfig): LayersModel {
  const { kind: _kind, ...options } = config.model;
  return resnetV1(options);
}
