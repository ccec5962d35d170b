import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Dataset } from '../data/dataset.js';
import type { LinearOperator } from './linearOperator.js';
import { accumulateTensors, assertFlatVector, unflattenToTensors } from './parameterVector.js';
import { warnIfSecondOrderDefective } from './secondOrderCheck.js';
import {
  type BatchNormMode,
  checkParameterTensors,
  dotTensors,
  type ExampleRange,
  explainingOutOfMemory,
  type ObjectiveOptions,
  type TrainingObjective,
  trainingObjective,
} from './trainingObjective.js';

/** Options for {@link hessianOperator}: the definition of the objective whose Hessian is taken. */
export type HessianOperatorOptions = ObjectiveOptions;

/** The value and gradient of the training objective over all examples, from one pass. */
export interface ObjectiveGradient {
  /** f(θ) = mean data loss + (if included) the regularization penalty. */
  loss: number;
  /** The mean data loss (1/n)·Σᵢ ℓᵢ. */
  dataLoss: number;
  /** The regularization penalty R(θ) (reported even when the objective excludes it). */
  regularization: number;
  /** ∇f(θ), flat over `model.trainableWeights` (float64 sum of float32 chunk gradients). */
  gradient: Float64Array;
  /** ∇ of the mean data loss alone. */
  dataGradient: Float64Array;
  /** |∇f(θ)|². */
  gradNormSq: number;
  /** Number of examples n the objective averages over. */
  examples: number;
}

/**
 * The Hessian H = ∇²f(θ) of a model's training objective, as a {@link LinearOperator} over the flat
 * float64 vector of `model.trainableWeights` (in order), plus the same product on parameter-shaped tensors
 * and the objective's value and gradient.
 */
export interface HessianOperator extends LinearOperator {
  /** The objective (model, data, resolved options) whose Hessian this is. */
  readonly objective: TrainingObjective;
  /** Batch-normalization mode in use. */
  readonly bnMode: BatchNormMode;
  /** Whether the regularization penalty is part of the objective. */
  readonly includeRegularization: boolean;
  /** Number of Hessian–vector products computed so far (flat and tensor forms together). */
  readonly matvecCount: number;
  /** H·v for a flat vector v of length `dim`, accumulated over all chunks in float64. */
  matvec(v: Float64Array): Promise<Float64Array>;
  /**
   * H·v for v given as one tensor per trainable weight (same shapes and order); returns new tensors the
   * caller disposes. Accumulates in float32 on the backend, so it never reads data back.
   */
  matvecTensors(vs: tf.Tensor[]): tf.Tensor[];
  /** f(θ), ∇f(θ) and |∇f|² of the same objective, in one pass over the data. */
  lossAndGradient(): Promise<ObjectiveGradient>;
}

/**
 * The exact Hessian of the training objective of `model` on `data`, by double backpropagation:
 * H·v = ∇θ(∇θf(θ) · v), with nested `tf.variableGrads` (tfjs records the backward pass on the tape, so it
 * can be differentiated again).
 *
 * @remarks
 * The objective is f(θ) = (1/n)·Σᵢ ℓ(θ; xᵢ, yᵢ) + R(θ) over all n examples of `data`. It is evaluated in
 * chunks of `batchSize` examples; chunk c contributes ∇(∇f_c · v) with f_c = (1/n)·Σ_{i∈c} ℓᵢ, and the
 * penalty R joins the first chunk, so the sum over chunks is H·v whatever the chunk size (in
 * `'inference'` mode; in `'train'` mode batch statistics are per chunk, so the chunk is part of the
 * definition). A product costs about as much as two backward passes over the data; memory is that of a
 * double backward pass on one chunk.
 *
 * Choices, each an option:
 * - `bnMode` `'inference'` (default) normalizes with the moving statistics, as PyHessian does, so each
 *   example's loss depends on that example only and H is the Hessian of a sum of per-example losses.
 *   `'train'` uses the statistics of each chunk; the moving statistics that a training-mode forward pass
 *   updates are restored after every chunk, so measuring never changes the model.
 * - `includeRegularization` (default true) adds `model.calculateLosses()` (Keras L2: λ·Σw², Hessian
 *   2λ on the regularized weights), because that is the objective SGD minimized; false gives the Hessian
 *   of the data loss alone.
 * - Other layers that behave differently in training (dropout) follow `bnMode` too: `'train'` calls the
 *   model with `training: true`.
 *
 * tfjs 4.22 drops second-order terms through ops whose gradient reuses their output (Softmax, logSoftmax,
 * Tanh, Sigmoid, …) unless corrected gradients are registered; a warning is emitted when the model or
 * loss goes through such an op and the registered gradient is still defective (see
 * {@link warnIfSecondOrderDefective}).
 *
 * The operator reads the model's weights at each call: change the weights and the next product is at the
 * new point.
 *
 * @param model - a built tfjs-layers model mapping `data.images` to the loss's inputs.
 * @param data - the examples the objective averages over.
 * @param options - loss, batchSize (default 32), bnMode, includeRegularization.
 * @returns the Hessian operator (dim = number of trainable parameters).
 */
export function hessianOperator(
  model: LayersModel,
  data: Dataset,
  options: HessianOperatorOptions,
): HessianOperator {
  const objective = trainingObjective(model, data, options, 'hessianOperator');
  warnIfSecondOrderDefective(model, objective.loss);
  const training = objective.bnMode === 'train';
  const n = objective.n;
  let matvecCount = 0;

  const chunkValue = (range: ExampleRange, withPenalty: boolean): tf.Scalar =>
    tf.tidy(() => {
      const { images, labels } = objective.slice(range);
      const data = tf.div(tf.sum(objective.batchLosses(images, labels, training)), n) as tf.Scalar;
      return withPenalty ? (tf.add(data, objective.regularization()) as tf.Scalar) : data;
    });

  const withPenalty = (index: number): boolean => index === 0 && objective.includeRegularization;

  const chunkProduct = (range: ExampleRange, index: number, vs: readonly tf.Tensor[]): tf.Tensor[] =>
    explainingOutOfMemory(objective, 'hessianOperator', () =>
      objective.preservingState(() =>
        tf.tidy(() => {
          const { grads } = objective.gradients(() => {
            const inner = objective.gradients(() => chunkValue(range, withPenalty(index))).grads;
            return dotTensors(inner, vs);
          });
          return grads;
        }),
      ),
    );

  const operator: HessianOperator = {
    dim: objective.dim,
    objective,
    bnMode: objective.bnMode,
    includeRegularization: objective.includeRegularization,
    get matvecCount() {
      return matvecCount;
    },
    async matvec(v) {
      assertFlatVector('hessianOperator.matvec', v, objective.dim);
      const vs = unflattenToTensors(v, objective.shapes);
      try {
        const out = new Float64Array(objective.dim);
        for (let c = 0; c < objective.chunks.length; c++) {
          const product = chunkProduct(objective.chunks[c]!, c, vs);
          try {
            await accumulateTensors(out, product);
          } finally {
            tf.dispose(product);
          }
        }
        matvecCount++;
        return out;
      } finally {
        tf.dispose(vs);
      }
    },
    matvecTensors(vs) {
      checkParameterTensors(objective, vs, 'hessianOperator.matvecTensors');
      let sum: tf.Tensor[] | undefined;
      for (let c = 0; c < objective.chunks.length; c++) {
        const product = chunkProduct(objective.chunks[c]!, c, vs);
        if (sum === undefined) {
          sum = product;
        } else {
          const previous = sum;
          sum = previous.map((s, i) => tf.add(s, product[i]!));
          tf.dispose([...previous, ...product]);
        }
      }
      matvecCount++;
      return sum!;
    },
    async lossAndGradient() {
      const dataGradient = new Float64Array(objective.dim);
      let dataLoss = 0;
      for (let c = 0; c < objective.chunks.length; c++) {
        const range = objective.chunks[c]!;
        const { value, grads } = objective.preservingState(() =>
          tf.tidy(() => objective.gradients(() => chunkValue(range, false))),
        );
        try {
          dataLoss += (await value.data())[0]!;
          await accumulateTensors(dataGradient, grads);
        } finally {
          tf.dispose([value, ...grads]);
        }
      }
      const penalty = await regularizationAndGradient(objective);
      const gradient = Float64Array.from(dataGradient);
      if (objective.includeRegularization) {
        for (let i = 0; i < gradient.length; i++) gradient[i]! += penalty.gradient[i]!;
      }
      let gradNormSq = 0;
      for (let i = 0; i < gradient.length; i++) gradNormSq += gradient[i]! * gradient[i]!;
      return {
        loss: dataLoss + (objective.includeRegularization ? penalty.value : 0),
        dataLoss,
        regularization: penalty.value,
        gradient,
        dataGradient,
        gradNormSq,
        examples: n,
      };
    },
  };
  return operator;
}

/** R(θ) and ∇R(θ) (zeros for a model without penalties). */
async function regularizationAndGradient(
  objective: TrainingObjective,
): Promise<{ value: number; gradient: Float64Array }> {
  const gradient = new Float64Array(objective.dim);
  if (!objective.hasRegularization) return { value: 0, gradient };
  const { value, grads } = tf.tidy(() => objective.gradients(() => objective.regularization()));
  try {
    await accumulateTensors(gradient, grads);
    return { value: (await value.data())[0]!, gradient };
  } finally {
    tf.dispose([value, ...grads]);
  }
}
