import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Dataset } from '../data/dataset.js';

/** Training accuracy of a model with batch normalization in each of its two modes. */
export interface BatchNormModeAccuracy {
  /** With batch statistics, in batches of `batchSize` (as during training). */
  trainMode: number;
  /** With the moving statistics (as every per-example measurement evaluates the network). */
  inference: number;
}

/**
 * The fraction of `data` classified correctly with batch normalization in training mode (batch
 * statistics over consecutive batches of `batchSize`) and in inference mode (moving statistics). A large
 * gap means the moving statistics do not describe the network at its current weights.
 *
 * @remarks
 * The moving statistics a training-mode pass updates are restored afterwards, so the model is unchanged.
 *
 * @param model - a classifier (largest output = predicted class).
 * @param data - the examples.
 * @param batchSize - examples per batch (a positive integer).
 */
export async function batchNormModeAccuracy(
  model: LayersModel,
  data: Dataset,
  batchSize: number,
): Promise<BatchNormModeAccuracy> {
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new RangeError(`batchNormModeAccuracy: batchSize must be a positive integer, got ${batchSize}`);
  }
  const state = model.nonTrainableWeights;
  const saved = state.map((w) => tf.clone(w.read()));
  try {
    return {
      trainMode: await accuracy(model, data, true, batchSize),
      inference: await accuracy(model, data, false, batchSize),
    };
  } finally {
    state.forEach((w, i) => {
      w.write(saved[i]!);
    });
    tf.dispose(saved);
  }
}

async function accuracy(
  model: LayersModel,
  data: Dataset,
  training: boolean,
  batchSize: number,
): Promise<number> {
  const n = data.images.shape[0];
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const hits = tf.tidy(() => {
      const images = tf.slice(data.images, [start, 0, 0, 0], [size, -1, -1, -1]);
      const labels = tf.cast(tf.slice(data.labels, [start], [size]), 'int32');
      const outputs = model.apply(images, { training }) as tf.Tensor2D;
      return tf.sum(tf.cast(tf.equal(tf.argMax(outputs, -1), labels), 'float32'));
    });
    correct += (await hits.data())[0]!;
    hits.dispose();
  }
  return correct / n;
}
