import * as tf from '@tensorflow/tfjs-core';

/** Labelled examples held as tensors: float32 examples and int32 class indices. */
export interface Dataset {
  /**
   * `[n, ...example shape]`, float32, already preprocessed: `[n, height, width, channels]` (NHWC) for
   * images, `[n, features]` for vectors.
   */
  images: tf.Tensor;
  /** [n], int32 class indices in [0, numClasses). */
  labels: tf.Tensor1D;
  /** Number of classes (10 for CIFAR-10). */
  numClasses: number;
}

/** A training set with an optional validation set and a test set. */
export interface SplitDataset {
  /** The examples to train on. */
  train: Dataset;
  /** Held out from the training files when a validation split is asked for. */
  validation?: Dataset;
  /** Held-out examples (CIFAR-10's test batch), never trained on. */
  test: Dataset;
}

/** The number of examples of a data set. */
export function exampleCount(data: Dataset): number {
  return data.images.shape[0] as number;
}

/** The shape of one example, e.g. `[32, 32, 3]`. */
export function exampleShape(data: Dataset): number[] {
  return data.images.shape.slice(1);
}

/**
 * Examples `start … start + count − 1` of a data set, as new tensors the caller disposes.
 *
 * @throws RangeError naming `count` when the range leaves the data set.
 */
export function sliceExamples(data: Dataset, start: number, count: number): Dataset {
  const n = exampleCount(data);
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 1 || start + count > n)
    throw new RangeError(
      `sliceExamples: examples ${start}…${start + count - 1} are outside the ${n} examples`,
    );
  const rest = data.images.shape.slice(1);
  return {
    images: tf.slice(data.images, [start, ...rest.map(() => 0)], [count, ...rest.map(() => -1)]),
    labels: tf.slice(data.labels, [start], [count]),
    numClasses: data.numClasses,
  };
}

/** Disposes the tensors of the given data sets (undefined entries are skipped). */
export function disposeDataset(...sets: (Dataset | undefined)[]): void {
  for (const data of sets) {
    if (!data) continue;
    data.images.dispose();
    data.labels.dispose();
  }
}
