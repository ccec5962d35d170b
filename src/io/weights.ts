import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { fileError } from '../util/fileErrors.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsContent,
  SafetensorsError,
  type SafetensorsTensor,
} from './safetensors.js';

/**
 * The stable name of a model weight: its layer path as tfjs-layers scopes it (`<layer>/<weight>`, e.g.
 * `stem_conv/kernel`), without the `_1`, `_2` suffixes tfjs adds when several models share names.
 */
export function weightName(weight: LayerVariable): string {
  return weight.originalName;
}

function namedWeights(model: LayersModel, what: string): Map<string, LayerVariable> {
  const byName = new Map<string, LayerVariable>();
  for (const w of model.weights) {
    const name = weightName(w);
    if (byName.has(name)) throw new Error(`${what}: model '${model.name}' has two weights named '${name}'`);
    byName.set(name, w);
  }
  return byName;
}

/**
 * Reads a model's weights (trainable and not, e.g. batch-norm moving statistics) as safetensors tensors.
 *
 * @param model - the model.
 * @returns tensors by {@link weightName}, in the model's weight order.
 */
export async function modelTensors(model: LayersModel): Promise<Map<string, SafetensorsTensor>> {
  const out = new Map<string, SafetensorsTensor>();
  for (const [name, w] of namedWeights(model, 'modelTensors')) {
    const value = w.read();
    const shape = [...value.shape];
    if (value.dtype === 'float32')
      out.set(name, { dtype: 'F32', shape, data: (await value.data()) as Float32Array });
    else if (value.dtype === 'int32')
      out.set(name, { dtype: 'I32', shape, data: (await value.data()) as Int32Array });
    else throw new Error(`modelTensors: weight '${name}' has dtype ${value.dtype}, which cannot be saved`);
  }
  return out;
}

/**
 * Saves a model's weights to a safetensors file, atomically (a reader never sees a partial file).
 *
 * @remarks Tensor names are the weights' layer paths ({@link weightName}); the metadata records the model
 * name under `model` and the format under `format`, plus what you pass.
 *
 * @param model - the model whose weights to save (all of them, including non-trainable ones).
 * @param path - the file to write; its directory is created if missing.
 * @param metadata - extra string metadata to store in `__metadata__`.
 */
export async function saveWeights(
  model: LayersModel,
  path: string,
  metadata: Record<string, string> = {},
): Promise<void> {
  const tensors = await modelTensors(model);
  writeFileAtomic(
    path,
    encodeSafetensors(tensors, { format: 'sgd-factors', model: model.name, ...metadata }),
  );
}

/** Options for {@link loadWeights} and {@link assignTensors}. */
export interface LoadWeightsOptions {
  /** Refuse a file holding tensors the model does not have. Default true. */
  strict?: boolean;
}

const OPTION_KEYS: OptionKeys<LoadWeightsOptions> = {
  strict: true,
};

/**
 * Refuses values no trained network has: NaN or ±∞ anywhere, and a negative batch-norm moving variance
 * (whose square root the inference-mode normalization takes). Loading them would make every later loss,
 * Hessian and noise measurement NaN, with exit status 0.
 *
 * @param tensor - the tensor as decoded.
 * @param name - its {@link weightName}.
 * @param source - the file, for the message.
 * @throws SafetensorsError naming the file, the tensor, the first bad index and its value.
 */
export function checkWeightValues(tensor: SafetensorsTensor, name: string, source: string): void {
  const { data, dtype } = tensor;
  if (dtype !== 'F32' && dtype !== 'F64') return;
  const variance = /(^|\/)moving_variance$/.test(name);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v))
      throw new SafetensorsError(
        `${source}: tensor '${name}' holds ${v} at index ${i}; weights must be finite`,
      );
    if (variance && v < 0)
      throw new SafetensorsError(
        `${source}: tensor '${name}' holds ${v} at index ${i}; a batch-norm moving variance cannot be negative`,
      );
  }
}

/**
 * Sets a model's weights from decoded safetensors content. Everything is checked before anything is
 * assigned, so on error the model is unchanged.
 *
 * @param model - the model to update.
 * @param content - tensors by {@link weightName}.
 * @param source - what to call the content in errors (e.g. the file path).
 * @param options - strictness about extra tensors.
 * @throws Error naming the tensor: missing from the file, shape mismatch, dtype mismatch, (strict) extra,
 *   or values no network has ({@link checkWeightValues}).
 */
export function assignTensors(
  model: LayersModel,
  content: SafetensorsContent,
  source: string,
  options: LoadWeightsOptions = {},
): void {
  const weights = namedWeights(model, 'loadWeights');
  const missing = [...weights.keys()].filter((n) => !content.tensors.has(n));
  if (missing.length > 0)
    throw new SafetensorsError(
      `${source}: missing tensor${missing.length > 1 ? 's' : ''} ${missing
        .slice(0, 5)
        .map((n) => `'${n}'`)
        .join(
          ', ',
        )}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} that model '${model.name}' needs (the file has ${content.tensors.size} tensors, the model ${weights.size} weights)`,
    );
  if (options.strict ?? true) {
    const extra = [...content.tensors.keys()].filter((n) => !weights.has(n));
    if (extra.length > 0)
      throw new SafetensorsError(
        `${source}: ${extra.length} tensor${extra.length > 1 ? 's' : ''} that model '${model.name}' does not have (${extra
          .slice(0, 5)
          .map((n) => `'${n}'`)
          .join(', ')}${extra.length > 5 ? ', …' : ''}); pass { strict: false } to ignore them`,
      );
  }
  for (const [name, w] of weights) {
    const t = content.tensors.get(name)!;
    const want = w.dtype === 'int32' ? 'I32' : 'F32';
    if (t.dtype !== want)
      throw new SafetensorsError(
        `${source}: tensor '${name}' has dtype ${t.dtype}, model weight needs ${want}`,
      );
    const shape = w.shape as number[];
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new SafetensorsError(
        `${source}: tensor '${name}' has shape [${t.shape.join(', ')}], model '${model.name}' expects [${shape.join(', ')}]`,
      );
  }
  for (const name of weights.keys()) checkWeightValues(content.tensors.get(name)!, name, source);
  for (const [name, w] of weights) {
    const t = content.tensors.get(name)!;
    const value = tf.tensor(
      t.data as Float32Array | Int32Array,
      t.shape,
      w.dtype === 'int32' ? 'int32' : 'float32',
    );
    w.write(value);
    value.dispose();
  }
}

/**
 * Loads weights saved by {@link saveWeights} (or any safetensors file with the same tensor names) into a
 * model of the same architecture. On any error the model is left unchanged.
 *
 * @param model - the model to update.
 * @param path - the safetensors file.
 * @param options - `strict: false` to ignore tensors the model lacks.
 * @returns the file's `__metadata__`.
 * @throws SafetensorsError for a malformed file (bad header length, bad JSON, unsupported dtype,
 *   truncated data), one that does not match the model (missing tensor, shape or dtype mismatch), or one
 *   holding NaN, ±∞ or a negative batch-norm variance (the tensor and index named).
 */
export async function loadWeights(
  model: LayersModel,
  path: string,
  options: LoadWeightsOptions = {},
): Promise<Record<string, string>> {
  checkOptionKeys('loadWeights', options, OPTION_KEYS);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw fileError('loadWeights: cannot read', path, error);
  }
  const content = decodeSafetensors(bytes, path);
  assignTensors(model, content, path, options);
  return content.metadata;
}
