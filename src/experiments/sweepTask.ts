import { join } from 'node:path';
import type { DataSpec } from '../data/sources/index.js';
import type { RunSpec, TrainingSpec } from '../run/runSpec.js';
import type { SweepConfig } from './sweepConfig.js';

/** One unit of work handed to an executor: a run and the directory it keeps its files in. */
export interface SweepTask {
  /** The run id, e.g. `kld-bs100-lr0.08-seed0`. */
  id: string;
  /** `DIR/runs/<id>`: a run directory like any other (config.json, checkpoint/, history.json, result.json). */
  runDir: string;
  /** The run. */
  spec: RunSpec;
}

/**
 * The deterministic, readable id of a run, e.g. `kld-bs100-lr0.08-seed0`. Numbers are written in
 * JavaScript's shortest round-trip form, so distinct rates give distinct ids.
 */
export function runId(training: Pick<TrainingSpec, 'loss' | 'batchSize' | 'learningRate' | 'seed'>): string {
  return `${training.loss}-bs${training.batchSize}-lr${String(training.learningRate)}-seed${training.seed}`;
}

/**
 * Every run of a sweep, in the order they are started: seed by seed (so that a partial sweep already holds
 * whole grids), then loss, then batch size and learning rate ascending.
 *
 * @param config - a normalized config.
 * @param data - the data every run uses (its `trainSize`/`testSize` are the config's).
 * @param dir - the sweep directory; each task's files go to `dir/runs/<id>`.
 */
export function sweepTasks(config: SweepConfig, data: DataSpec, dir: string): SweepTask[] {
  const tasks: SweepTask[] = [];
  for (const seed of config.seeds)
    for (const loss of config.losses)
      for (const batchSize of config.batchSizes)
        for (const learningRate of config.learningRates) {
          const training: TrainingSpec = {
            loss,
            learningRate,
            batchSize,
            epochs: config.epochs,
            momentum: 0,
            seed,
            schedule: config.schedule,
            replacement: config.replacement,
            augment: null,
          };
          const spec: RunSpec = { data, model: config.model, training, measurement: config.measurement };
          const id = runId(training);
          tasks.push({ id, runDir: join(dir, 'runs', id), spec });
        }
  return tasks;
}
