import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from './dataset.js';
import { validateLabels } from './validateDataset.js';

/**
 * A {@link Dataset} as plain arrays: what you give {@link datasetFromArrays} to bring your own data, and
 * what is sent to another thread (its buffers can be transferred).
 */
export interface DatasetArrays {
  /** The examples, float32, row-major: `n × shape[1] × …` values. */
  images: Float32Array;
  /** `[n, ...example shape]`: `[n, height, width, channels]` for images, `[n, features]` for vectors. */
  shape: number[];
  /** n class indices, integers in [0, numClasses). */
  labels: Int32Array;
  /** Number of classes. */
  numClasses: number;
}

/**
 * Reads a data set's tensors into new arrays (copies: transferring them never detaches a backend's
 * storage).
 *
 * @param data - the data set.
 */
export async function datasetArrays(data: Dataset): Promise<DatasetArrays> {
  const images = Float32Array.from((await data.images.data()) as Float32Array);
  const labels = Int32Array.from(await data.labels.data());
  return { images, shape: [...data.images.shape], labels, numClasses: data.numClasses };
}

/** A deep copy (e.g. one per worker before transferring the buffers). */
export function copyDatasetArrays(arrays: DatasetArrays): DatasetArrays {
  return {
    images: arrays.images.slice(),
    shape: [...arrays.shape],
    labels: arrays.labels.slice(),
    numClasses: arrays.numClasses,
  };
}

/**
 * Checks that the arrays describe a data set: typed arrays of the right kinds, as many values as the shape
 * says, one label per example, labels in [0, numClasses).
 *
 * @param arrays - the arrays.
 * @param caller - name used in error messages.
 * @throws TypeError or RangeError naming the field, and for a label its index and value.
 */
export function checkDatasetArrays(arrays: DatasetArrays, caller: string): void {
  const { images, shape, labels, numClasses } = arrays;
  if (!(images instanceof Float32Array))
    throw new TypeError(`${caller}: data.images must be a Float32Array, got ${describeValue(images)}`);
  if (!(labels instanceof Int32Array))
    throw new TypeError(`${caller}: data.labels must be an Int32Array, got ${describeValue(labels)}`);
  if (!Array.isArray(shape) || shape.length < 2 || shape.some((d) => !Number.isInteger(d) || d < 1))
    throw new RangeError(
      `${caller}: data.shape must be [n, ...example shape] of positive integers (at least 2 axes), got [${shape}]`,
    );
  const size = shape.reduce((p, d) => p * d, 1);
  if (images.length !== size)
    throw new RangeError(
      `${caller}: data.images has ${images.length} values, shape [${shape}] needs ${size}`,
    );
  if (labels.length !== shape[0])
    throw new RangeError(`${caller}: data.labels has ${labels.length} labels for ${shape[0]} examples`);
  if (!Number.isInteger(numClasses) || numClasses < 2)
    throw new RangeError(`${caller}: data.numClasses must be an integer ≥ 2, got ${numClasses}`);
  validateLabels(labels, numClasses, { caller, argument: 'data' });
  for (let i = 0; i < images.length; i++)
    if (!Number.isFinite(images[i] as number))
      throw new RangeError(`${caller}: data.images[${i}] is ${images[i]}, not a finite number`);
}

function describeValue(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return (value as object).constructor?.name ?? 'an object';
}

/**
 * Your own data as a {@link Dataset}: the way to bring data the registry does not know. The arrays are
 * checked first ({@link checkDatasetArrays}); the tensors are new, the caller disposes them.
 *
 * @example
 * ```ts
 * const train = datasetFromArrays({ images: x, shape: [1000, 20], labels: y, numClasses: 3 });
 * ```
 *
 * @param arrays - examples, their shape, labels and number of classes.
 * @throws TypeError or RangeError naming the offending field (see {@link checkDatasetArrays}).
 */
export function datasetFromArrays(arrays: DatasetArrays): Dataset {
  checkDatasetArrays(arrays, 'datasetFromArrays');
  return {
    images: tf.tensor(arrays.images, arrays.shape, 'float32'),
    labels: tf.tensor1d(arrays.labels, 'int32'),
    numClasses: arrays.numClasses,
  };
}
