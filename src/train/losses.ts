import * as tf from '@tensorflow/tfjs-core';
import type { OutputKind } from '../models/outputKind.js';
import { crossEntropyFromLogits, crossEntropyFromProbabilities } from './crossEntropyLoss.js';
import { kldLoss } from './kldLoss.js';
import { squaredErrorLoss } from './squaredErrorLoss.js';

/** The built-in losses: `'kld'` (Keras KL divergence), `'crossEntropy'` (log loss), `'squaredError'`. */
export type LossName = 'kld' | 'crossEntropy' | 'squaredError';

/** The built-in loss names, in a stable order. */
export const LOSS_NAMES: readonly LossName[] = ['kld', 'crossEntropy', 'squaredError'];

/**
 * A custom loss: given one-hot labels [b, k] (float32) and the model's raw outputs [b, k] (whatever the
 * output layer produces: probabilities after a softmax, or logits), returns the per-example losses [b].
 * It must be differentiable with tfjs ops; the training objective is the mean over the batch.
 */
export type LossFunction = (labelsOneHot: tf.Tensor2D, outputs: tf.Tensor2D) => tf.Tensor1D;

/** A loss given by name or as a function. */
export type LossSpec = LossName | LossFunction;

/** A loss ready to apply to a given model's outputs, from {@link resolveLoss}. */
export interface ResolvedLoss {
  /** The loss name, or `'custom'` for a function. */
  name: LossName | 'custom';
  /** What the model's outputs are, which {@link ResolvedLoss.perExample} takes as its second argument. */
  outputs: OutputKind;
  /**
   * Per-example losses [b] from one-hot labels [b, k] and the model's raw outputs [b, k]; returns a new
   * tensor (the caller disposes it).
   */
  perExample: LossFunction;
}

/**
 * Turns a loss name (or function) into a function of the model's raw outputs.
 *
 * @remarks
 * What each built-in loss is defined on, and how it is applied to each output kind:
 * - `'kld'` — defined on probabilities ({@link kldLoss}); a logits model's outputs go through a softmax first.
 * - `'crossEntropy'` — from logits when the model outputs logits ({@link crossEntropyFromLogits}, exact);
 *   from clipped probabilities otherwise ({@link crossEntropyFromProbabilities}, Keras' semantics).
 * - `'squaredError'` — defined on probabilities ({@link squaredErrorLoss}); logits go through a softmax.
 * - a function — applied to the raw outputs as they are.
 *
 * @param loss - a built-in name or a {@link LossFunction}.
 * @param outputs - what the model outputs (see {@link modelOutputKind}).
 * @returns the resolved loss.
 * @throws RangeError for an unknown name or output kind.
 */
export function resolveLoss(loss: LossSpec, outputs: OutputKind): ResolvedLoss {
  if (outputs !== 'probabilities' && outputs !== 'logits')
    throw new RangeError(
      `resolveLoss: outputs must be 'probabilities' or 'logits', got '${String(outputs)}'`,
    );
  if (typeof loss === 'function') return { name: 'custom', outputs, perExample: loss };
  const onProbabilities = (fn: LossFunction): LossFunction =>
    outputs === 'probabilities'
      ? fn
      : (labels, logits) => tf.tidy(() => fn(labels, tf.softmax(logits, -1) as tf.Tensor2D));
  switch (loss) {
    case 'kld':
      return { name: loss, outputs, perExample: onProbabilities(kldLoss) };
    case 'squaredError':
      return { name: loss, outputs, perExample: onProbabilities(squaredErrorLoss) };
    case 'crossEntropy':
      return {
        name: loss,
        outputs,
        perExample: outputs === 'logits' ? crossEntropyFromLogits : crossEntropyFromProbabilities,
      };
    default:
      throw new RangeError(
        `resolveLoss: unknown loss '${String(loss)}'; use ${LOSS_NAMES.map((n) => `'${n}'`).join(', ')} or a function`,
      );
  }
}
