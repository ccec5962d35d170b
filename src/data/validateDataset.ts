import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Dataset } from './dataset.js';

/** Where a data set is checked, for the error messages: the entry point and the argument's name. */
export interface DatasetSite {
  /** The function the caller called, e.g. `'hessianOperator'`. */
  caller: string;
  /** The argument (or option) holding the data set, e.g. `'data'` or `'options.validationData'`. */
  argument: string;
}

/** Whether `value` is a positive integer. */
function positiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

/**
 * Checks class labels: every one an integer in [0, numClasses). The typed-array core of
 * {@link validateDataset}, also used for data sets sent between threads as arrays.
 *
 * @param labels - the labels.
 * @param numClasses - the number of classes, a positive integer.
 * @param site - entry point and argument, for the message.
 * @throws RangeError naming the entry point, the argument, the first offending index and its value.
 */
export function validateLabels(labels: ArrayLike<number>, numClasses: number, site: DatasetSite): void {
  const where = `${site.caller}: ${site.argument}`;
  if (!positiveInteger(numClasses))
    throw new RangeError(`${where}.numClasses must be a positive integer, got ${String(numClasses)}`);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new RangeError(
        `${where}.labels[${i}] is ${label}; labels must be integers in [0, ${numClasses}) (numClasses ${numClasses})`,
      );
    }
  }
}

/** The number of units of a single-output model's last axis (its classes), or undefined when unknown. */
export function modelOutputUnits(model: LayersModel): number | undefined {
  const shape = model.outputs[0]?.shape;
  const units = shape?.[shape.length - 1];
  return typeof units === 'number' ? units : undefined;
}

// Tensors are immutable, so a labels tensor checked once against a class count stays valid; the cache
// keeps repeated entry points (measureMinimum → gradientNoise → hessianOperator) from re-reading labels.
const checkedLabels = new WeakMap<tf.Tensor, Set<number>>();

/**
 * Checks a {@link Dataset} at a library entry point: one label per image, `numClasses` a positive
 * integer, every label an integer in [0, numClasses), and, given a model, `numClasses` equal to the
 * model's output units. Reads the labels once per labels tensor and class count (a synchronous read of n
 * numbers).
 *
 * @remarks
 * Without it, labels out of range give a one-hot row of zeros: a loss near 0 and a Hessian of 0, with no
 * error; a class count unequal to the model's outputs gives a raw broadcast error deep inside tfjs.
 *
 * @param data - the data set.
 * @param site - entry point and argument name, for the messages.
 * @param model - the model the data set is for, whose output units must equal `numClasses`.
 * @throws RangeError naming the entry point, the argument, and the offending index and value.
 */
export function validateDataset(data: Dataset, site: DatasetSite, model?: LayersModel): void {
  const where = `${site.caller}: ${site.argument}`;
  if (data === null || typeof data !== 'object' || data.images === undefined || data.labels === undefined)
    throw new TypeError(`${where} must be a Dataset { images, labels, numClasses }`);
  const n = data.images.shape[0];
  if (data.labels.rank !== 1 || data.labels.shape[0] !== n) {
    throw new RangeError(
      `${where} has ${n} images but labels of shape [${data.labels.shape.join(', ')}] (one label per image expected)`,
    );
  }
  const numClasses = data.numClasses;
  if (!positiveInteger(numClasses))
    throw new RangeError(`${where}.numClasses must be a positive integer, got ${String(numClasses)}`);
  if (model !== undefined) {
    const units = modelOutputUnits(model);
    if (units !== undefined && units !== numClasses) {
      throw new RangeError(
        `${where}.numClasses is ${numClasses} but the model has ${units} output units; they must be equal`,
      );
    }
  }
  const seen = checkedLabels.get(data.labels);
  if (seen?.has(numClasses)) return;
  validateLabels(data.labels.dataSync(), numClasses, site);
  if (seen) seen.add(numClasses);
  else checkedLabels.set(data.labels, new Set([numClasses]));
}
