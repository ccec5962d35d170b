import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ensureSecondOrderGradients } from '../backend/ensureSecondOrderGradients.js';
import { type AugmentOptions, epochBatches, gatherBatch } from '../data/batches.js';
import type { Dataset, SplitDataset } from '../data/dataset.js';
import { validateDataset } from '../data/validateDataset.js';
import { weightName } from '../io/weights.js';
import { modelOutputKind, type OutputKind } from '../models/outputKind.js';
import { regularizationPenalty } from '../models/regularizationPenalty.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { createProgress } from '../util/progress.js';
import { createRng } from '../util/random.js';
import {
  type CheckpointState,
  readCheckpointState,
  restoreCheckpoint,
  writeCheckpoint,
} from './checkpoint.js';
import { evaluateModel } from './evaluate.js';
import type { BatchEndInfo, EpochRecord } from './history.js';
import { KerasSGD, type NamedVariable } from './kerasSGD.js';
import { type LossSpec, resolveLoss } from './losses.js';
import { type LearningRateSchedule, learningRateAt, PAPER_SCHEDULE } from './schedule.js';
import {
  type CurvatureTracker,
  type CurvatureTracking,
  curvatureTracker,
  normalizeTracking,
} from './trackCurvature.js';

/** Options for {@link trainSGD}. */
export interface TrainSGDOptions {
  /** Base learning rate δ (the schedule scales it). */
  lr: number;
  /** Mini-batch size m. */
  batchSize: number;
  /** Number of epochs. Default 125 (the paper's). */
  epochs?: number;
  /** Momentum μ in [0, 1), Keras' form (see {@link KerasSGD}). Default 0: plain SGD, as in the paper. */
  momentum?: number;
  /** Learning-rate schedule. Default the paper's: `stepDecay({ boundaries: [60, 100], factor: 0.1 })`. */
  schedule?: LearningRateSchedule;
  /** The loss: `'kld'` (default, the paper's), `'crossEntropy'`, `'squaredError'` or a function. */
  loss?: LossSpec;
  /** What the model outputs; default detected from its output layer ({@link modelOutputKind}). */
  outputs?: OutputKind;
  /** Seed of the batch order and of augmentation. Default 0. */
  seed?: number;
  /** Sample each batch with replacement instead of shuffling once per epoch (see `epochBatches`). Default false. */
  replacement?: boolean;
  /** Drop the last, smaller batch of each epoch. Default false. */
  dropLast?: boolean;
  /** Augmentation of training batches (pad-and-crop, flip; see `gatherBatch`). Default none. */
  augment?: AugmentOptions;
  /**
   * Validation set, evaluated after every epoch in inference mode. Default: for a {@link SplitDataset},
   * its `validation` set, else its `test` set (the paper validates on the test images); none for a plain
   * {@link Dataset}. Pass `null` for none.
   */
  validationData?: Dataset | null;
  /** Examples per forward pass in validation. Default 256. */
  validationBatchSize?: number;
  /**
   * Directory for checkpoints, written atomically after every epoch: weights and momentum buffers
   * (safetensors), epoch count, settings and history (`checkpoint.json`). Default none.
   */
  checkpointDir?: string;
  /**
   * Continue from the checkpoint in `checkpointDir` (if there is one; otherwise start afresh), ending with
   * the same weights as an uninterrupted run. Without it, a directory that already holds a checkpoint is
   * an error. Default false.
   */
  resume?: boolean;
  /**
   * Called after each batch (awaited if it returns a promise); returning `false` (or a promise of it) stops
   * training: the unfinished epoch is neither recorded nor saved. Throwing stops too, the error propagates.
   */
  onBatchEnd?: (info: BatchEndInfo) => unknown;
  /**
   * Measure curvature during training (see {@link CurvatureTracking}): the chosen quantities over the first
   * training examples after every `every`-th epoch and after the last, stored in the epoch's record
   * (`curvature`, kept in checkpoints, so a resumed run keeps the earlier values). Training is the same
   * as without it (batch order, weights, batch-norm statistics). Default none.
   */
  track?: CurvatureTracking;
  /** Called after each epoch, once its checkpoint is written (awaited); returning `false` stops training. */
  onEpochEnd?: (record: EpochRecord, history: readonly EpochRecord[]) => unknown;
  /** Print nothing (no progress bar or lines). Default false. */
  quiet?: boolean;
  /** Where progress goes. Default process.stderr. */
  progressStream?: NodeJS.WriteStream;
}

const OPTION_KEYS: OptionKeys<TrainSGDOptions> = {
  lr: true,
  batchSize: true,
  epochs: true,
  momentum: true,
  schedule: true,
  loss: true,
  outputs: true,
  seed: true,
  replacement: true,
  dropLast: true,
  augment: true,
  validationData: true,
  validationBatchSize: true,
  checkpointDir: true,
  resume: true,
  track: true,
  onBatchEnd: true,
  onEpochEnd: true,
  quiet: true,
  progressStream: true,
};

/** What {@link trainSGD} returns. */
export interface TrainResult {
  /** One record per completed epoch, including those before a resume. */
  history: EpochRecord[];
  /** Epochs completed before this call (from the checkpoint); 0 for a fresh run. */
  resumedFrom: number;
  /** Whether a callback stopped training before `epochs`. */
  stopped: boolean;
}

/**
 * The loss became NaN or infinite. Training stopped before applying that batch's update; the last
 * checkpoint on disk is the last good state.
 */
export class NonFiniteLossError extends Error {
  /** Always `'NonFiniteLossError'`. */
  override name = 'NonFiniteLossError';
  /** 0-based epoch in which the loss stopped being finite. */
  readonly epoch: number;
  /** 0-based batch within that epoch. */
  readonly batch: number;
  /** The loss value (NaN or ±Infinity). */
  readonly value: number;
  /**
   * @param epoch - 0-based epoch.
   * @param batch - 0-based batch within the epoch.
   * @param value - the loss value.
   * @param message - the full message.
   */
  constructor(epoch: number, batch: number, value: number, message: string) {
    super(message);
    this.epoch = epoch;
    this.batch = batch;
    this.value = value;
  }
}

function isSplit(data: Dataset | SplitDataset): data is SplitDataset {
  return (data as SplitDataset).train !== undefined;
}

/** A 32-bit seed for the augmentation of one batch, a pure function of (seed, epoch, batch). */
function batchSeed(seedHash: number, epoch: number, batch: number): number {
  return (seedHash ^ Math.imul(epoch + 1, 0x85ebca6b) ^ Math.imul(batch + 1, 0xc2b2ae35)) >>> 0;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : String(x);
}

/**
 * Trains a classifier with mini-batch SGD (the paper's setup: plain SGD with learning rate δ and batch
 * size m, step-decay schedule, batch norm in training mode), with exact checkpoint/resume.
 *
 * @remarks
 * Each step: gather the batch (`epochBatches` order, optional augmentation), run the model with
 * `training: true` (batch statistics; moving statistics updated as Keras does), take the gradient of
 * mean data loss + {@link regularizationPenalty} with respect to the trainable weights, and apply the
 * {@link KerasSGD} update with the epoch's learning rate. The batch order of epoch k and the augmentation
 * of each batch are pure functions of (seed, k, batch index), so a run resumed from a checkpoint after
 * epoch k reproduces the uninterrupted run exactly on a deterministic backend.
 *
 * A non-finite loss stops training with a {@link NonFiniteLossError} naming the epoch and batch; that
 * batch's update is not applied and its batch-norm statistics are rolled back, so the model is left as
 * it was after the last good batch, and the checkpoint directory keeps the last completed epoch.
 *
 * Progress: a bar per epoch on a TTY, plain lines otherwise (and a summary line per epoch), unless `quiet`.
 *
 * @param model - the model to train in place (e.g. {@link resnetV1}); any single-output classifier.
 * @param data - the training set, or a split (its `train` set is trained on).
 * @param options - learning rate, batch size and the rest.
 * @returns the history (one record per completed epoch) and how the run ended.
 * @throws NonFiniteLossError on a NaN or infinite loss; RangeError for invalid options; Error when
 *   `checkpointDir` holds a checkpoint and `resume` is not set, or when its settings differ on resume.
 */
export async function trainSGD(
  model: LayersModel,
  data: Dataset | SplitDataset,
  options: TrainSGDOptions,
): Promise<TrainResult> {
  checkOptionKeys('trainSGD', options, OPTION_KEYS);
  // The wasm backend needs this library's Conv2DBackpropFilter kernel to train a convolutional network.
  ensureSecondOrderGradients();
  const train = isSplit(data) ? data.train : data;
  const validation =
    options.validationData === null
      ? undefined
      : (options.validationData ?? (isSplit(data) ? (data.validation ?? data.test) : undefined));
  const { lr, batchSize } = options;
  if (!(lr > 0) || !Number.isFinite(lr))
    throw new RangeError(`trainSGD: options.lr must be a positive number, got ${lr}`);
  if (!Number.isInteger(batchSize) || batchSize <= 0)
    throw new RangeError(`trainSGD: options.batchSize must be a positive integer, got ${batchSize}`);
  const epochs = options.epochs ?? 125;
  if (!Number.isInteger(epochs) || epochs < 0)
    throw new RangeError(`trainSGD: options.epochs must be a non-negative integer, got ${epochs}`);
  const momentum = options.momentum ?? 0;
  if (!(momentum >= 0 && momentum < 1))
    throw new RangeError(`trainSGD: options.momentum must be in [0, 1), got ${momentum}`);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed))
    throw new RangeError(`trainSGD: options.seed must be a finite number, got ${seed}`);
  const schedule = options.schedule ?? PAPER_SCHEDULE;
  const outputs = options.outputs ?? modelOutputKind(model);
  const loss = resolveLoss(options.loss ?? 'kld', outputs);
  validateDataset(train, { caller: 'trainSGD', argument: isSplit(data) ? 'data.train' : 'data' }, model);
  if (validation !== undefined) {
    const argument =
      options.validationData !== undefined
        ? 'options.validationData'
        : isSplit(data) && data.validation !== undefined
          ? 'data.validation'
          : 'data.test';
    validateDataset(validation, { caller: 'trainSGD', argument }, model);
  }
  const n = train.images.shape[0];
  // Checked before anything is restored or allocated; the tracker itself is made inside the try below.
  if (options.track !== undefined) normalizeTracking(options.track, n);
  const batchOptions = {
    batchSize,
    seed,
    ...(options.replacement !== undefined ? { replacement: options.replacement } : {}),
    ...(options.dropLast !== undefined ? { dropLast: options.dropLast } : {}),
  };
  const fingerprint: Record<string, unknown> = {
    model: model.name,
    parameters: model.countParams(),
    examples: n,
    batchSize,
    lr,
    momentum,
    seed,
    loss: loss.name,
    outputs,
    replacement: options.replacement ?? false,
    dropLast: options.dropLast ?? false,
    augment: options.augment ?? null,
    schedule: typeof schedule === 'function' ? 'function' : schedule,
  };

  const variables: NamedVariable[] = model.trainableWeights.map((w) => ({
    name: weightName(w),
    variable: w.read() as tf.Variable,
  }));
  const optimizer = new KerasSGD(momentum);
  let history: EpochRecord[] = [];
  let startEpoch = 0;
  const dir = options.checkpointDir;
  if (dir !== undefined) {
    const state = readCheckpointState(dir);
    if (state && !options.resume)
      throw new Error(
        `trainSGD: ${dir} already holds a checkpoint (after epoch ${state.epochsCompleted}); pass resume: true to continue it, or use an empty directory`,
      );
    if (state) {
      checkFingerprint(dir, state, fingerprint);
      optimizer.load(restoreCheckpoint(dir, state, model), variables);
      history = state.history;
      startEpoch = state.epochsCompleted;
    }
  } else if (options.resume) {
    throw new RangeError('trainSGD: options.resume needs options.checkpointDir');
  }

  const seedHash = Math.floor(createRng(seed).fork().next() * 4294967296);
  const quiet = options.quiet ?? false;
  const stream = options.progressStream ?? process.stderr;
  let tracker: CurvatureTracker | undefined;
  let stopped = false;
  try {
    if (options.track !== undefined)
      tracker = curvatureTracker(train, options.track, { loss: options.loss ?? 'kld', outputs }, seed);
    for (let epoch = startEpoch; epoch < epochs && !stopped; epoch++) {
      const epochStart = performance.now();
      const epochLr = learningRateAt(schedule, epoch, lr);
      const batches = epochBatches(n, epoch, batchOptions);
      const progress = createProgress({
        label: `epoch ${epoch + 1}/${epochs}`,
        total: batches.length,
        stream,
        silent: quiet,
      });
      let lossSum = 0;
      let penaltySum = 0;
      let correct = 0;
      let seen = 0;
      for (let b = 0; b < batches.length; b++) {
        const indices = batches[b]!;
        const augment =
          options.augment === undefined
            ? undefined
            : { ...options.augment, seed: batchSeed(seedHash, epoch, b) };
        const batch = gatherBatch(train, indices, augment);
        const oneHot = tf.tidy(
          () => tf.cast(tf.oneHot(batch.labels, train.numClasses), 'float32') as tf.Tensor2D,
        );
        // The forward pass updates batch-norm moving statistics; keep the old values (clones share the
        // data, so this copies nothing) to restore them if this batch's loss turns out non-finite.
        const stateBefore = model.nonTrainableWeights.map((w) => tf.clone(w.read()));
        let stats: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(
          () => {
            const out = model.apply(batch.images, { training: true }) as tf.Tensor2D;
            const dataLoss = tf.mean(loss.perExample(oneHot, out)) as tf.Scalar;
            const penalty = regularizationPenalty(model);
            const hits = tf.sum(tf.cast(tf.equal(tf.argMax(out, -1), batch.labels), 'float32'));
            stats = tf.keep(tf.stack([dataLoss, penalty, hits]));
            return tf.add(dataLoss, penalty) as tf.Scalar;
          },
          variables.map((v) => v.variable),
        );
        const [batchLoss, penalty, hits] = (await stats!.data()) as Float32Array;
        const total = (await value.data())[0] as number;
        stats!.dispose();
        value.dispose();
        oneHot.dispose();
        batch.images.dispose();
        batch.labels.dispose();
        // On the cpu and wasm backends every await above settles as a microtask, so without this the event
        // loop would not turn until training ends: no signal handler (the CLI's Ctrl-C hint), timer or I/O
        // callback could run. One macrotask per batch costs microseconds.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (!Number.isFinite(total)) {
          tf.dispose(grads);
          for (const [i, w] of model.nonTrainableWeights.entries()) w.write(stateBefore[i]!);
          tf.dispose(stateBefore);
          const kept =
            dir === undefined
              ? 'no checkpoint directory was given'
              : startEpoch === epoch && epoch === 0
                ? `no epoch was completed, so ${dir} holds no checkpoint`
                : `the last good checkpoint (after epoch ${epoch}) is in ${dir}`;
          progress.done('stopped: non-finite loss');
          throw new NonFiniteLossError(
            epoch,
            b,
            total,
            `trainSGD: non-finite loss ${total} at epoch ${epoch + 1}/${epochs}, batch ${b + 1}/${batches.length} (0-based epoch ${epoch}, batch ${b}; lr ${epochLr}); the update was not applied (nor that batch's batch-norm statistics) and ${kept}`,
          );
        }
        tf.dispose(stateBefore);
        optimizer.apply(variables, grads, epochLr);
        tf.dispose(grads);
        const size = indices.length;
        lossSum += (batchLoss as number) * size;
        penaltySum += (penalty as number) * size;
        correct += hits as number;
        seen += size;
        progress.update(b + 1, `loss ${fmt(lossSum / seen)} acc ${fmt(correct / seen)}`);
        if (options.onBatchEnd) {
          const verdict = await options.onBatchEnd({
            epoch,
            batch: b,
            batches: batches.length,
            size,
            loss: batchLoss as number,
            regularization: penalty as number,
            accuracy: (hits as number) / size,
            lr: epochLr,
          });
          if (verdict === false) {
            stopped = true;
            break;
          }
        }
      }
      if (stopped) {
        progress.done('stopped by onBatchEnd');
        break;
      }
      const trainSeconds = (performance.now() - epochStart) / 1000;
      const record: EpochRecord = {
        epoch,
        lr: epochLr,
        loss: lossSum / seen,
        regularization: penaltySum / seen,
        accuracy: correct / seen,
        examples: seen,
        trainSeconds,
        seconds: trainSeconds,
      };
      if (validation) {
        const v = await evaluateModel(model, validation, {
          loss,
          batchSize: options.validationBatchSize ?? 256,
        });
        record.valLoss = v.loss;
        record.valAccuracy = v.accuracy;
      }
      record.seconds = (performance.now() - epochStart) / 1000;
      progress.done(
        `loss ${fmt(record.loss)} acc ${fmt(record.accuracy)}${
          record.valLoss !== undefined
            ? ` val_loss ${fmt(record.valLoss)} val_acc ${fmt(record.valAccuracy!)}`
            : ''
        } lr ${Number(epochLr.toPrecision(6))} ${record.seconds.toFixed(1)}s`,
      );
      if (tracker?.due(epoch, epochs)) {
        record.curvature = await tracker.measure(model, {
          label: `curvature ${epoch + 1}/${epochs}`,
          lr: epochLr,
          stream,
          quiet,
        });
      }
      history.push(record);
      if (dir !== undefined) {
        await writeCheckpoint(dir, model, await optimizer.state(), {
          epochsCompleted: epoch + 1,
          fingerprint,
          history,
        });
      }
      if (options.onEpochEnd && (await options.onEpochEnd(record, history)) === false) stopped = true;
    }
  } finally {
    optimizer.dispose();
    tracker?.dispose();
  }
  return { history, resumedFrom: startEpoch, stopped };
}

function checkFingerprint(dir: string, state: CheckpointState, fingerprint: Record<string, unknown>): void {
  const differences: string[] = [];
  for (const [key, now] of Object.entries(fingerprint)) {
    const then = state.fingerprint[key];
    if (JSON.stringify(then) !== JSON.stringify(now))
      differences.push(`${key}: ${JSON.stringify(then)} in the checkpoint, ${JSON.stringify(now)} now`);
  }
  if (differences.length > 0)
    throw new Error(`trainSGD: cannot resume from ${dir}, the settings differ (${differences.join('; ')})`);
}
