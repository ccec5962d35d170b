import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../../data/dataset.js';
import { validateLabels } from '../../data/validateDataset.js';

/** A {@link Dataset} as plain arrays, to send to another thread (its buffers can be transferred). */
export interface DatasetArrays {
  /** NHWC float32 images, row-major. */
  images: Float32Array;
  /** [n, height, width, channels]. */
  shape: [number, number, number, number];
  /** n int32 class indices. */
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
  const [n, height, width, channels] = data.images.shape;
  return { images, shape: [n, height, width, channels], labels, numClasses: data.numClasses };
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
 * Checks that the arrays describe a data set: as many values as the shape says, one label per image,
 * labels in [0, numClasses).
 *
 * @param arrays - the arrays.
 * @param caller - name used in error messages.
 * @throws RangeError naming what is inconsistent.
 */
export function checkDatasetArrays(arrays: DatasetArrays, caller: string): void {
  const { images, shape, labels, numClasses } = arrays;
  if (!(images instanceof Float32Array) || !(labels instanceof Int32Array))
    throw new TypeError(`${caller}: data.images must be a Float32Array and data.labels an Int32Array`);
  if (shape.length !== 4 || shape.some((d) => !Number.isInteger(d) || d < 1))
    throw new RangeError(`${caller}: data.shape must be [n, height, width, channels], got [${shape}]`);
  const size = shape.reduce((p, d) => p * d, 1);
  if (images.length !== size)
    throw new RangeError(
      `${caller}: data.images has ${images.length} values, shape [${shape}] needs ${size}`,
    );
  if (labels.length !== shape[0])
    throw new RangeError(`${caller}: data.labels has ${labels.length} labels for ${shape[0]} images`);
  validateLabels(labels, numClasses, { caller, argument: 'data' });
}

/**
 * The tensors of a data set held as arrays (new tensors the caller disposes), after checking the arrays
 * ({@link checkDatasetArrays}).
 *
 * @param arrays - the arrays.
 * @throws RangeError naming what is inconsistent, e.g. the first label outside [0, numClasses).
 */
export function datasetFromArrays(arrays: DatasetArrays): Dataset {
  checkDatasetArrays(arrays, 'datasetFromArrays');
  return {
    images: tf.tensor4d(arrays.images, arrays.shape, 'float32'),
    labels: tf.tensor1d(arrays.labels, 'int32'),
    numClasses: arrays.numClasses,
  };
}
