import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * The tfjs variables behind `model.trainableWeights`, in that order: the coordinates every curvature
 * operator over the network's parameters uses.
 *
 * @param model - a built tfjs-layers model.
 * @returns one `tf.Variable` per trainable weight.
 */
export function trainableVariables(model: LayersModel): tf.Variable[] {
  const weights = model.trainableWeights;
  if (weights.length === 0) {
    throw new RangeError(`trainableVariables: model '${model.name}' has no trainable weights`);
  }
  return weights.map((w) => w.read() as tf.Variable);
}

/**
 * The shapes of `model.trainableWeights`, in order.
 *
 * @param model - a built tfjs-layers model.
 */
export function parameterShapes(model: LayersModel): number[][] {
  return model.trainableWeights.map((w) => [...w.shape] as number[]);
}

/**
 * The number of trainable parameters of `model`: the dimension of its flat parameter vector.
 *
 * @param model - a built tfjs-layers model.
 */
export function parameterCount(model: LayersModel): number {
  return parameterShapes(model).reduce((sum, shape) => sum + sizeOf(shape), 0);
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Concatenates the values of a list of tensors, each flattened row-major, into one float64 vector: the
 * flat layout of {@link LinearOperator} vectors over a network's parameters.
 *
 * @remarks
 * Reads the tensors back synchronously; use {@link flattenTensorsAsync} on backends whose read-back is
 * asynchronous (tfjs-node is not, wasm and cpu are not; WebGL would be). The tensors are not disposed.
 *
 * @param tensors - tensors in parameter order.
 * @returns a new Float64Array of the total size.
 */
export function flattenTensors(tensors: readonly tf.Tensor[]): Float64Array {
  const out = new Float64Array(tensors.reduce((sum, t) => sum + t.size, 0));
  let offset = 0;
  for (const t of tensors) {
    out.set(t.dataSync() as Float32Array, offset);
    offset += t.size;
  }
  return out;
}

/**
 * {@link flattenTensors} with asynchronous read-back (`tensor.data()`), so the event loop stays free.
 *
 * @param tensors - tensors in parameter order; not disposed.
 */
export async function flattenTensorsAsync(tensors: readonly tf.Tensor[]): Promise<Float64Array> {
  const out = new Float64Array(tensors.reduce((sum, t) => sum + t.size, 0));
  let offset = 0;
  for (const t of tensors) {
    out.set((await t.data()) as Float32Array, offset);
    offset += t.size;
  }
  return out;
}

/**
 * Adds the values of a list of tensors, flattened in order, into a float64 accumulator: `acc += scale·flat(tensors)`.
 * Accumulating chunk results in float64 keeps sums over many chunks as accurate as each float32 chunk.
 *
 * @param acc - accumulator of the total size; modified in place.
 * @param tensors - tensors in parameter order; not disposed.
 * @param scale - factor applied to every value (default 1).
 */
export async function accumulateTensors(
  acc: Float64Array,
  tensors: readonly tf.Tensor[],
  scale = 1,
): Promise<void> {
  const total = tensors.reduce((sum, t) => sum + t.size, 0);
  if (total !== acc.length) {
    throw new RangeError(`accumulateTensors: tensors hold ${total} values, accumulator has ${acc.length}`);
  }
  let offset = 0;
  for (const t of tensors) {
    const values = (await t.data()) as Float32Array;
    for (let i = 0; i < values.length; i++) acc[offset + i]! += scale * values[i]!;
    offset += values.length;
  }
}

/**
 * Splits a flat vector into float32 tensors of the given shapes (the inverse of {@link flattenTensors},
 * rounding to float32). The caller disposes the tensors.
 *
 * @param flat - the vector; its length must equal the total size of `shapes`.
 * @param shapes - shapes in parameter order (e.g. {@link parameterShapes}).
 */
export function unflattenToTensors(
  flat: ArrayLike<number>,
  shapes: readonly (readonly number[])[],
): tf.Tensor[] {
  const total = shapes.reduce((sum, s) => sum + sizeOf(s), 0);
  if (flat.length !== total) {
    throw new RangeError(`unflattenToTensors: vector has length ${flat.length}, shapes need ${total} values`);
  }
  const out: tf.Tensor[] = [];
  let offset = 0;
  for (const shape of shapes) {
    const size = sizeOf(shape);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = flat[offset + i]!;
    out.push(tf.tensor(values, [...shape], 'float32'));
    offset += size;
  }
  return out;
}

/**
 * The current trainable parameters of `model` as one float64 vector, in `model.trainableWeights` order.
 *
 * @param model - a built tfjs-layers model.
 */
export function flattenWeights(model: LayersModel): Float64Array {
  return flattenTensors(trainableVariables(model));
}

/**
 * Throws a RangeError naming `caller` unless `v` is a Float64Array of length `dim`: the argument check of
 * every operator's `matvec` over flat parameter vectors.
 *
 * @param caller - e.g. `hessianOperator.matvec`, for the message.
 * @param v - the argument received.
 * @param dim - the operator's dimension.
 */
export function assertFlatVector(caller: string, v: unknown, dim: number): asserts v is Float64Array {
  if (!(v instanceof Float64Array) || v.length !== dim) {
    throw new RangeError(
      `${caller}: expected a Float64Array of length ${dim}, got ${v instanceof Float64Array ? `length ${v.length}` : String(v)}`,
    );
  }
}
