import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Dataset } from '../data/dataset.js';
import { validateDataset } from '../data/validateDataset.js';
import { modelOutputKind, type OutputKind } from '../models/outputKind.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { type LossSpec, type ResolvedLoss, resolveLoss } from './losses.js';

/** Options for {@link evaluateModel}. */
export interface EvaluateOptions {
  /** The loss to report (a name, a function, or an already resolved loss). Default `'kld'`. */
  loss?: LossSpec | ResolvedLoss;
  /** What the model outputs; default detected by {@link modelOutputKind}. */
  outputs?: OutputKind;
  /** Examples per forward pass (memory, not results). Default 256. */
  batchSize?: number;
}

const OPTION_KEYS: OptionKeys<EvaluateOptions> = {
  loss: true,
  outputs: true,
  batchSize: true,
};

/** Mean loss and accuracy of a model on a data set. */
export interface Evaluation {
  /** Mean per-example data loss (without the regularization term). */
  loss: number;
  /** Fraction of examples whose largest output is the label. */
  accuracy: number;
  /** Number of examples. */
  count: number;
}

/**
 * Evaluates a classifier on a whole data set in inference mode (batch norm uses its moving statistics),
 * accumulating in float64.
 *
 * @param model - the classifier.
 * @param data - images and int32 labels.
 * @param options - loss, output kind, batch size.
 * @returns mean loss, accuracy and the example count.
 */
export async function evaluateModel(
  model: LayersModel,
  data: Dataset,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  checkOptionKeys('evaluateModel', options, OPTION_KEYS);
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize <= 0)
    throw new RangeError(`evaluateModel: options.batchSize must be a positive integer, got ${batchSize}`);
  const spec = options.loss ?? 'kld';
  const loss = typeof spec === 'object' ? spec : resolveLoss(spec, options.outputs ?? modelOutputKind(model));
  validateDataset(data, { caller: 'evaluateModel', argument: 'data' }, model);
  const n = data.images.shape[0];
  if (n === 0) throw new RangeError('evaluateModel: the data set is empty');
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const sums = tf.tidy(() => {
      const rest = data.images.shape.slice(1);
      const images = tf.slice(data.images, [start, ...rest.map(() => 0)], [size, ...rest.map(() => -1)]);
      const labels = tf.cast(tf.slice(data.labels, [start], [size]), 'int32');
      const outputs = model.apply(images, { training: false }) as tf.Tensor2D;
      const oneHot = tf.cast(tf.oneHot(labels, data.numClasses), 'float32') as tf.Tensor2D;
      const perExample = loss.perExample(oneHot, outputs);
      const hits = tf.cast(tf.equal(tf.argMax(outputs, -1), labels), 'float32');
      return tf.stack([tf.sum(perExample), tf.sum(hits)]);
    });
    const [l, c] = (await sums.data()) as Float32Array;
    sums.dispose();
    lossSum += l as number;
    correct += c as number;
  }
  return { loss: lossSum / n, accuracy: correct / n, count: n };
}
