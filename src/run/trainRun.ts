import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SplitDataset } from '../data/dataset.js';
import { dataSpecShape } from '../data/sources/index.js';
import { saveWeights } from '../io/weights.js';
import { buildModel } from '../models/modelRegistry.js';
import { readCheckpointState } from '../train/checkpoint.js';
import type { EpochRecord } from '../train/history.js';
import { stepDecay } from '../train/schedule.js';
import { trainSGD } from '../train/trainSGD.js';
import { runPaths, writeRunConfig, writeRunHistory } from './runDirectory.js';
import type { RunSpec } from './runSpec.js';

/** Options for {@link trainRun}. */
export interface TrainRunOptions {
  /** The data of `spec.data`, when the caller holds it already (a sweep worker shares it between runs). */
  data: SplitDataset;
  /**
   * Continue from the run's last checkpoint when it has one. Without it, a directory holding a checkpoint
   * is an error (so that a typo in `--out` never continues someone else's run silently).
   */
  resume: boolean;
  /** Called after every epoch, once its checkpoint and history are written. */
  onEpochEnd?: (record: EpochRecord) => void;
  /** No progress bar or lines from training. */
  quiet: boolean;
}

/** A trained run. */
export interface TrainedRun {
  /** The trained network (the caller disposes it). */
  model: LayersModel;
  /** One record per epoch, including those of earlier, interrupted processes. */
  history: EpochRecord[];
  /** Wall-clock seconds this call spent training. */
  seconds: number;
  /** Epochs already done by an earlier process when this one started. */
  fromEpoch: number;
}

/**
 * Trains one run into its directory: writes `config.json` (or checks that the one there is the same
 * training), builds the registered model for the data's shape and classes, trains it with `trainSGD`,
 * checkpointing into `checkpoint/` and rewriting `history.json` after every epoch, and saves
 * `weights.safetensors` at the end. The one training path of `sgd-factors train` and of every sweep run.
 *
 * @param dir - the run directory (created if missing).
 * @param id - the run id written into `config.json`.
 * @param spec - the normalized run spec.
 * @param options - the loaded data, resume, progress.
 * @throws Error when the directory holds another training, or a checkpoint without `resume`.
 */
export async function trainRun(
  dir: string,
  id: string,
  spec: RunSpec,
  options: TrainRunOptions,
): Promise<TrainedRun> {
  const paths = runPaths(dir);
  const state = readCheckpointState(paths.checkpoint);
  if (state && !options.resume)
    throw new Error(
      `${dir} already holds a run (${state.epochsCompleted} epoch${state.epochsCompleted === 1 ? '' : 's'} done); resume it, or choose another directory`,
    );
  writeRunConfig(dir, id, spec);
  const shape = dataSpecShape(spec.data);
  const t = spec.training;
  const model = buildModel(spec.model, {
    inputShape: shape.inputShape,
    numClasses: shape.numClasses,
    seed: t.seed,
  });
  try {
    const started = performance.now();
    const result = await trainSGD(model, options.data, {
      lr: t.learningRate,
      batchSize: t.batchSize,
      epochs: t.epochs,
      momentum: t.momentum,
      loss: t.loss,
      seed: t.seed,
      schedule: stepDecay(t.schedule),
      replacement: t.replacement,
      ...(t.augment ? { augment: t.augment } : {}),
      checkpointDir: paths.checkpoint,
      resume: true,
      ...(spec.tracking ? { track: spec.tracking } : {}),
      quiet: options.quiet,
      onEpochEnd: (record, history) => {
        writeRunHistory(dir, history);
        options.onEpochEnd?.(record);
      },
    });
    writeRunHistory(dir, result.history);
    if (result.history.length !== t.epochs)
      throw new Error(`training of ${id} ended after ${result.history.length} of ${t.epochs} epochs`);
    await saveWeights(model, paths.weights, { epochs: String(result.history.length), config: 'config.json' });
    return {
      model,
      history: result.history,
      seconds: (performance.now() - started) / 1000,
      fromEpoch: state?.epochsCompleted ?? 0,
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
