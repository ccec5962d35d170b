import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ensureSecondOrderGradients } from '../backend/ensureSecondOrderGradients.js';
import type { Dataset } from '../data/dataset.js';
import { validateDataset } from '../data/validateDataset.js';
import { modelOutputKind, type OutputKind } from '../models/outputKind.js';
import { regularizationPenalty } from '../models/regularizationPenalty.js';
import { type LossSpec, type ResolvedLoss, resolveLoss } from '../train/losses.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { parameterShapes, trainableVariables } from './parameterVector.js';

/**
 * How batch-normalization layers normalize while the objective is evaluated.
 *
 * - `'inference'`: with their moving mean and variance, so the loss is a sum of independent per-example
 *   terms (as PyHessian measures the Hessian); the default.
 * - `'train'`: with the statistics of each chunk of `batchSize` examples, as in a training step. The
 *   moving statistics are left exactly as they were.
 */
export type BatchNormMode = 'inference' | 'train';

/** Every {@link BatchNormMode}. */
export const BATCH_NORM_MODES: readonly BatchNormMode[] = ['inference', 'train'];

/** The options that define the training objective every curvature and noise measurement works on. */
export interface ObjectiveOptions {
  /**
   * The data loss, as in training: `'kld'` (default, as in the paper), `'crossEntropy'`, `'squaredError'`
   * or a per-example function of one-hot labels and raw outputs (see {@link resolveLoss}).
   */
  loss?: LossSpec;
  /** What the model outputs; default detected from its output layer ({@link modelOutputKind}). */
  outputs?: OutputKind;
  /**
   * Examples per forward/backward chunk (a positive integer; default 32). The objective is always the
   * average over all examples, so in `'inference'` mode results do not depend on it (up to float32
   * rounding); it only trades memory for speed. In `'train'` mode it is also the batch whose statistics
   * batch normalization uses. A Hessian–vector product keeps the whole double-backward graph of a chunk:
   * for ResNet-20 about 1.3 GB at 32, 2.3 GB at 64 and 3.4 GB at 128 (the wasm backend's heap ends at 4 GiB).
   */
  batchSize?: number;
  /** Batch-normalization mode; default `'inference'` (see {@link BatchNormMode}). */
  bnMode?: BatchNormMode;
  /**
   * Add the model's regularization penalties (`model.calculateLosses()`, e.g. Keras L2 kernel
   * regularizers: λ·Σw²) to the averaged data loss. Default true, because that sum is the objective SGD
   * minimized; false measures the data loss alone.
   */
  includeRegularization?: boolean;
}

/** Every key of {@link ObjectiveOptions}, for {@link checkOptionKeys}. */
export const OBJECTIVE_OPTION_KEYS: OptionKeys<ObjectiveOptions> = {
  loss: true,
  outputs: true,
  batchSize: true,
  bnMode: true,
  includeRegularization: true,
};

/**
 * The {@link ObjectiveOptions} among a larger options object (those set), so that a function taking more
 * options can hand the objective's on to one that refuses unknown keys.
 *
 * @param options - any options object extending ObjectiveOptions.
 */
export function objectiveOptionsOf(options: ObjectiveOptions): ObjectiveOptions {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(OBJECTIVE_OPTION_KEYS)) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as ObjectiveOptions;
}

/** A half-open range of example indices [start, end). */
export type ExampleRange = readonly [start: number, end: number];

/**
 * The training objective f(θ) = (1/n)·Σᵢ ℓ(θ; xᵢ, yᵢ) + R(θ) of a tfjs-layers model over a data set, as
 * differentiable tfjs functions of `model.trainableWeights`: the building block of the Hessian, gradient
 * and gradient-noise computations.
 */
export interface TrainingObjective {
  /** The model. */
  readonly model: LayersModel;
  /** The data. */
  readonly data: Dataset;
  /** The variables of `model.trainableWeights`, in order. */
  readonly variables: readonly tf.Variable[];
  /** Their shapes. */
  readonly shapes: readonly (readonly number[])[];
  /** Total number of trainable parameters. */
  readonly dim: number;
  /** Number of examples n. */
  readonly n: number;
  /** The resolved data loss. */
  readonly loss: ResolvedLoss;
  /** Examples per chunk. */
  readonly batchSize: number;
  /** Resolved batch-normalization mode. */
  readonly bnMode: BatchNormMode;
  /** Whether R(θ) is part of the objective. */
  readonly includeRegularization: boolean;
  /** Whether the model has any regularization penalty at all. */
  readonly hasRegularization: boolean;
  /** The consecutive chunks [start, end) of at most `batchSize` examples covering all n examples. */
  readonly chunks: readonly ExampleRange[];
  /** Per-example losses of a batch of inputs (rank-1, one per example). */
  batchLosses(images: tf.Tensor, labels: tf.Tensor1D, training: boolean): tf.Tensor1D;
  /** The images and labels of examples [start, end), as new tensors. */
  slice(range: ExampleRange): { images: tf.Tensor; labels: tf.Tensor1D };
  /** The images and labels of the given examples (repeats allowed), as new tensors. */
  gather(indices: Int32Array): { images: tf.Tensor; labels: tf.Tensor1D };
  /** R(θ) as a scalar tensor (zero when the model has no penalties). */
  regularization(): tf.Scalar;
  /** Gradients of a scalar function of the variables, in variable order; zeros where it does not depend on one. */
  gradients(f: () => tf.Scalar): { value: tf.Scalar; grads: tf.Tensor[] };
  /**
   * Runs `fn`, then restores every non-trainable weight (batch-norm moving statistics) to its value before,
   * so that forward passes in training mode leave no trace on the model.
   */
  preservingState<T>(fn: () => T): T;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Builds the {@link TrainingObjective} of `model` on `data`.
 *
 * @param model - a built tfjs-layers model mapping `data.images` to the outputs the loss expects.
 * @param data - the examples the objective averages over.
 * @param options - loss, chunk size, batch-norm mode, regularization.
 * @param caller - name used in error messages.
 */
export function trainingObjective(
  model: LayersModel,
  data: Dataset,
  options: ObjectiveOptions = {},
  caller = 'trainingObjective',
): TrainingObjective {
  // Every user of the objective differentiates it, most of them twice.
  ensureSecondOrderGradients();
  checkOptionKeys(caller, options, OBJECTIVE_OPTION_KEYS);
  const loss = resolveLoss(options.loss ?? 'kld', options.outputs ?? modelOutputKind(model));
  const batchSize = positiveInteger(`${caller}: options.batchSize`, options.batchSize ?? 32);
  const bnMode = options.bnMode ?? 'inference';
  if (bnMode !== 'inference' && bnMode !== 'train') {
    throw new RangeError(`${caller}: options.bnMode must be 'inference' or 'train', got '${String(bnMode)}'`);
  }
  const includeRegularization = options.includeRegularization ?? true;
  const n = data.images.shape[0];
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${caller}: data has no examples`);
  validateDataset(data, { caller, argument: 'data' }, model);
  const variables = trainableVariables(model);
  const shapes = parameterShapes(model);
  const dim = variables.reduce((sum, v) => sum + v.size, 0);
  const chunks: ExampleRange[] = [];
  for (let start = 0; start < n; start += batchSize) chunks.push([start, Math.min(start + batchSize, n)]);
  const imageRest = data.images.shape.slice(1).map(() => -1);
  // One forward pass on one example: builds a lazily built model (a Sequential's regularization losses
  // only exist once it is built) and fails early, with tfjs's message, when the data does not fit it.
  try {
    tf.tidy(() => {
      model.apply(tf.slice(data.images, [0, ...imageRest.map(() => 0)], [1, ...imageRest]), {
        training: false,
      });
    });
  } catch (error) {
    throw new Error(
      `${caller}: the model cannot take the data's images [n, ${data.images.shape.slice(1).join(', ')}]: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  const objective: TrainingObjective = {
    model,
    data,
    variables,
    shapes,
    dim,
    n,
    loss,
    batchSize,
    bnMode,
    includeRegularization,
    hasRegularization: tf.tidy(() => model.calculateLosses().length > 0),
    chunks,
    batchLosses(images, labels, training) {
      const outputs = model.apply(images, { training }) as tf.Tensor2D;
      const oneHot = tf.cast(tf.oneHot(labels, data.numClasses), 'float32') as tf.Tensor2D;
      const losses = loss.perExample(oneHot, outputs);
      if (losses.rank !== 1 || losses.shape[0] !== images.shape[0]) {
        throw new Error(
          `${caller}: the loss returned shape [${losses.shape.join(', ')}], expected one value per example [${images.shape[0]}]`,
        );
      }
      return losses;
    },
    slice([start, end]) {
      return {
        images: tf.slice(data.images, [start, ...imageRest.map(() => 0)], [end - start, ...imageRest]),
        labels: tf.slice(data.labels, [start], [end - start]),
      };
    },
    gather(indices) {
      return tf.tidy(() => {
        const idx = tf.tensor1d(indices, 'int32');
        return { images: tf.gather(data.images, idx), labels: tf.gather(data.labels, idx) as tf.Tensor1D };
      });
    },
    regularization() {
      return regularizationPenalty(model);
    },
    gradients(f) {
      // Cheap; keeps products correct when the backend was switched after the objective was built.
      ensureSecondOrderGradients();
      const { value, grads } = tf.variableGrads(f, variables as tf.Variable[]);
      return { value, grads: variables.map((v) => grads[v.name] ?? tf.zerosLike(v)) };
    },
    preservingState(fn) {
      const stateful = model.nonTrainableWeights;
      if (stateful.length === 0) return fn();
      const saved = stateful.map((w) => tf.clone(w.read()));
      try {
        return fn();
      } finally {
        stateful.forEach((w, i) => {
          w.write(saved[i]!);
        });
        tf.dispose(saved);
      }
    },
  };
  return objective;
}

/** Σ aᵢ·bᵢ over two lists of equally shaped tensors, as a scalar tensor. */
export function dotTensors(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): tf.Scalar {
  if (a.length !== b.length) throw new RangeError(`dotTensors: ${a.length} tensors against ${b.length}`);
  return tf.addN(a.map((t, i) => tf.sum(tf.mul(t, b[i]!)))) as tf.Scalar;
}

/** Checks that `vs` are tensors shaped like the objective's parameters. */
export function checkParameterTensors(
  objective: TrainingObjective,
  vs: readonly tf.Tensor[],
  caller: string,
): void {
  if (vs.length !== objective.shapes.length) {
    throw new RangeError(
      `${caller}: got ${vs.length} tensors, the model has ${objective.shapes.length} trainable weights`,
    );
  }
  vs.forEach((v, i) => {
    const shape = objective.shapes[i]!;
    if (v.shape.length !== shape.length || v.shape.some((d, k) => d !== shape[k])) {
      throw new RangeError(
        `${caller}: tensor ${i} has shape [${v.shape.join(', ')}], trainable weight ${i} has [${shape.join(', ')}]`,
      );
    }
  });
}

/**
 * Runs `fn`, turning the wasm backend's bare `Aborted()` (its 4 GiB heap exhausted) into an error that
 * says which chunk size to lower. The wasm module cannot be used again in this process after that.
 *
 * @param objective - the objective whose chunk size is reported.
 * @param caller - name used in the message.
 * @param fn - the work.
 */
export function explainingOutOfMemory<T>(objective: TrainingObjective, caller: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (tf.getBackend() === 'wasm' && /Aborted\(/.test(message)) {
      throw new Error(
        `${caller}: the wasm backend ran out of memory (its heap is limited to 4 GiB) on a chunk of ${objective.batchSize} examples; use a smaller batchSize (in inference mode results do not depend on it). The wasm backend cannot be used again in this process.`,
        { cause: error },
      );
    }
    throw error;
  }
}
