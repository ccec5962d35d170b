import * as tf from '@tensorflow/tfjs-core';
import type { LayerTap, RoleTensors } from './batched/layerTap.js';
import { layerTaps } from './batched/layerTaps.js';
import { withTappedPass } from './batched/tappedPass.js';
import { accumulateTensors } from './parameterVector.js';
import { type ExampleRange, explainingOutOfMemory, type TrainingObjective } from './trainingObjective.js';

// Per-example gradient quantities of the data loss from one forward and one backward pass per chunk
// (BackPACK's BatchL2Grad, BatchGrad and Variance; Dangel et al., ICLR 2020): each layer's per-example
// gradient is a function of its input and its output gradient, which one batched pass captures (see
// withTappedPass). Batch normalization is evaluated in inference mode: in training mode batch statistics
// couple the examples, so a per-example gradient is not defined; these functions throw on a 'train'
// objective rather than mix the two. The regularization penalty is never included (its gradient is the
// same for every example, so it does not enter σ²).

/** Per-example squared gradient norms and the sum of the gradients, see {@link exampleGradientNorms}. */
export interface ExampleGradientNorms {
  /** ‖∇ℓᵢ‖² for every example i (the float64 sum of its float32 per-weight norms). */
  squaredNorms: Float64Array;
  /**
   * Σᵢ‖∇_b ℓᵢ‖² for every trainable weight b, in `objective.variables` order (float64 sums of the same
   * float32 per-weight norms as `squaredNorms`, so both sum to the same total up to float64 rounding).
   */
  blockSquaredNorms: Float64Array;
  /** Σᵢ ∇ℓᵢ, flat over the trainable weights (float64 sum of float32 chunk sums). */
  gradientSum: Float64Array;
}

function checkObjective(objective: TrainingObjective, caller: string): LayerTap[] {
  if (objective.bnMode !== 'inference') {
    throw new Error(
      `${caller}: per-example gradients need an objective with bnMode 'inference', got '${objective.bnMode}' (batch statistics couple the examples)`,
    );
  }
  return layerTaps(objective, caller);
}

/** Tensors per role of every tap, placed at their variables' indices. */
function byVariable(
  objective: TrainingObjective,
  taps: readonly LayerTap[],
  each: (tap: LayerTap, i: number) => RoleTensors,
): tf.Tensor[] {
  const out: tf.Tensor[] = new Array(objective.variables.length);
  taps.forEach((tap, i) => {
    const tensors = each(tap, i);
    for (const { role, index } of tap.weights) out[index] = tensors[role]!;
  });
  return out;
}

/**
 * For every chunk in order: `compute` its tensors (synchronously, so that a wasm out-of-memory abort is
 * explained), then `consume` them; they are disposed on every path. Reports progress in examples.
 */
async function forEachChunk<T extends tf.TensorContainer>(
  objective: TrainingObjective,
  caller: string,
  compute: (images: tf.Tensor, labels: tf.Tensor1D) => T,
  consume: (range: ExampleRange, result: T) => Promise<void> | void,
  onExamples?: (done: number) => void,
): Promise<void> {
  for (const range of objective.chunks) {
    const result = explainingOutOfMemory(objective, caller, () =>
      tf.tidy(() => {
        const { images, labels } = objective.slice(range);
        return compute(images, labels);
      }),
    );
    try {
      await consume(range, result);
    } finally {
      tf.dispose(result);
    }
    onExamples?.(range[1]);
  }
}

/**
 * ‖∇ℓᵢ‖² of every example and Σᵢ ∇ℓᵢ (data loss, inference-mode batch normalization) in one forward and
 * one backward pass per chunk: what tr σ² = (Σᵢ‖gᵢ‖² − n‖ḡ‖²)/(n − 1) needs.
 *
 * @remarks
 * Per layer: dense ‖xᵢ‖²‖δᵢ‖² (+ ‖δᵢ‖² for the bias) on vectors; convolution ‖Σₚ xᵢ,ₚ ⊗ δᵢ,ₚ‖² over
 * output positions p, from the unfolded per-example products or the Gram form
 * Σ_{p,q}(xᵢ,ₚ·xᵢ,q)(δᵢ,ₚ·δᵢ,q), whichever is cheaper for the layer's sizes (bias ‖Σₚ δᵢ,ₚ‖²); batch
 * normalization (inference mode) the per-channel sums Σₚ δᵢ,ₚ·x̂ᵢ,ₚ and Σₚ δᵢ,ₚ. Equal to one
 * batch-of-one backward pass per example ({@link forEachExampleGradient}) up to float32 rounding.
 *
 * @param objective - an objective with bnMode 'inference' over a model of supported layers
 * ({@link layerTaps}); its `batchSize` is the chunk.
 * @param onExamples - called after each chunk with the number of examples done.
 * @throws Error for a 'train' objective or an unsupported layer (the per-example loop covers those).
 */
export async function exampleGradientNorms(
  objective: TrainingObjective,
  onExamples?: (done: number) => void,
): Promise<ExampleGradientNorms> {
  const caller = 'exampleGradientNorms';
  const taps = checkObjective(objective, caller);
  const squaredNorms = new Float64Array(objective.n);
  const variables = objective.variables.length;
  const blockSquaredNorms = new Float64Array(variables);
  const gradientSum = new Float64Array(objective.dim);
  await forEachChunk(
    objective,
    caller,
    (images, labels) =>
      withTappedPass(objective, taps, images, labels, (xs, ds) => {
        const each = taps.map((tap, i) => tap.squaredNormsAndSum(xs[i]!, ds[i]!));
        return {
          // [B, variables]: example i's squared norm over each trainable weight.
          norms: tf.stack(
            byVariable(objective, taps, (_, i) => each[i]!.norms),
            1,
          ) as tf.Tensor2D,
          sums: byVariable(objective, taps, (_, i) => each[i]!.sum),
        };
      }),
    async ([start, end], { norms, sums }) => {
      const values = (await norms.data()) as Float32Array;
      for (let i = 0; i < end - start; i++) {
        let total = 0;
        for (let b = 0; b < variables; b++) {
          const value = values[i * variables + b]!;
          total += value;
          blockSquaredNorms[b]! += value;
        }
        squaredNorms[start + i] = total;
      }
      await accumulateTensors(gradientSum, sums);
    },
    onExamples,
  );
  return { squaredNorms, blockSquaredNorms, gradientSum };
}

/**
 * Calls `visit(start, gradients)` for every chunk of examples with their individual gradients
 * (BackPACK's BatchGrad): `gradients[k]` has shape [B, ...shape of trainable weight k], row i the
 * gradient of example start + i (data loss, inference mode). One forward and one backward pass per chunk;
 * the tensors are disposed after `visit` returns (clone what you keep).
 *
 * @param objective - an objective with bnMode 'inference' over a model of supported layers.
 * @param visit - receives each chunk's first index and per-example gradients; may be async.
 * @throws Error for a 'train' objective or an unsupported layer.
 */
export async function forEachExampleGradientBatch(
  objective: TrainingObjective,
  visit: (start: number, gradients: readonly tf.Tensor[]) => void | Promise<void>,
): Promise<void> {
  const caller = 'forEachExampleGradientBatch';
  const taps = checkObjective(objective, caller);
  await forEachChunk(
    objective,
    caller,
    (images, labels) =>
      withTappedPass(objective, taps, images, labels, (xs, ds) =>
        byVariable(objective, taps, (tap, i) => tap.perExample(xs[i]!, ds[i]!)),
      ),
    ([start], gradients) => visit(start, gradients),
  );
}

/** What {@link projectedGradientSums} returns. */
export interface ProjectedGradientSums {
  /** aᵢ = ∇ℓᵢ · v for every example. */
  directional: Float64Array;
  /** Σᵢ aᵢ·∇ℓᵢ, flat. */
  weightedSum: Float64Array;
  /** Σᵢ ∇ℓᵢ, flat. */
  gradientSum: Float64Array;
}

/**
 * For a direction v: every example's aᵢ = ∇ℓᵢ·v, Σᵢ aᵢ∇ℓᵢ and Σᵢ ∇ℓᵢ, in one forward and one backward
 * pass per chunk (data loss, inference mode), so that σ²v = (Σᵢ aᵢgᵢ − ā·Σᵢ gᵢ)/n takes one pass.
 *
 * @param objective - an objective with bnMode 'inference' over a model of supported layers.
 * @param vs - the direction, one tensor per trainable weight (not disposed).
 * @throws Error for a 'train' objective or an unsupported layer.
 */
export async function projectedGradientSums(
  objective: TrainingObjective,
  vs: readonly tf.Tensor[],
): Promise<ProjectedGradientSums> {
  const caller = 'projectedGradientSums';
  const taps = checkObjective(objective, caller);
  const directional = new Float64Array(objective.n);
  const weightedSum = new Float64Array(objective.dim);
  const gradientSum = new Float64Array(objective.dim);
  const roleTensors = taps.map(
    (tap) => Object.fromEntries(tap.weights.map((w) => [w.role, vs[w.index]!])) as RoleTensors,
  );
  await forEachChunk(
    objective,
    caller,
    (images, labels) =>
      withTappedPass(objective, taps, images, labels, (xs, ds) => {
        const a = tf.addN(
          taps.map((tap, i) => tap.directional(xs[i]!, ds[i]!, roleTensors[i]!)),
        ) as tf.Tensor1D;
        const ones = tf.onesLike(a);
        return {
          a,
          weighted: byVariable(objective, taps, (tap, i) => tap.weightedSum(xs[i]!, ds[i]!, a)),
          sums: byVariable(objective, taps, (tap, i) => tap.weightedSum(xs[i]!, ds[i]!, ones)),
        };
      }),
    async ([start], out) => {
      directional.set((await out.a.data()) as Float32Array, start);
      await accumulateTensors(weightedSum, out.weighted);
      await accumulateTensors(gradientSum, out.sums);
    },
  );
  return { directional, weightedSum, gradientSum };
}
