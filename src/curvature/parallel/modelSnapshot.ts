import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { SafetensorsTensor } from '../../io/safetensors.js';
import { assignTensors, modelTensors } from '../../io/weights.js';
import { KerasBatchNormalization } from '../../models/batchNormalization.js';
import { buildModel, type ModelContext, type ModelSpec } from '../../models/modelRegistry.js';
import { moduleUrl } from './moduleWorker.js';

/**
 * How to rebuild a model's architecture in another thread (functions and tfjs objects cannot be sent):
 *
 * - `registered`: a model of the registry (`buildModel(model, context)`), e.g. `resnetV1` or `mlp`, or one
 *   the worker's modules register.
 * - `topology`: the Keras-style JSON of `LayersModel.toJSON(null, false)`, rebuilt with
 *   `tf.models.modelFromJSON`; works for any model whose layer classes are registered for serialization
 *   (all built-in layers, and this library's batch normalization).
 * - `module`: `(await import(url))[exportName](options)`, a function returning the model (or a promise of
 *   it), for architectures with layers that are not serializable.
 */
export type ModelArchitecture =
  | { kind: 'registered'; model: ModelSpec; context: ModelContext }
  | { kind: 'topology'; topology: object }
  | {
      kind: 'module';
      /** `file:` URL or absolute path of the module (TypeScript is loaded through tsx). */
      url: string;
      /** The export holding the factory; default `default`. */
      exportName?: string;
      /** Structured-cloneable argument of the factory. */
      options?: unknown;
    };

/**
 * A model as plain data: how to rebuild it and the values of all its weights (trainable and not, e.g.
 * batch-norm moving statistics), by layer path (`<layer>/<weight>`, see `weightName`).
 */
export interface ModelSnapshot {
  /** The architecture. */
  spec: ModelArchitecture;
  /** Every weight's values (F32 or I32). */
  weights: Map<string, SafetensorsTensor>;
}

/**
 * The {@link ModelArchitecture} of a tfjs-layers model: its topology JSON.
 *
 * @param model - a built model.
 * @returns a `topology` spec.
 */
export function modelArchitectureOf(model: tfl.LayersModel): ModelArchitecture {
  return { kind: 'topology', topology: model.toJSON(null, false) as object };
}

/**
 * Reads a model's weights into a {@link ModelSnapshot} (copies: later changes to the model do not affect
 * it, and its buffers may be transferred to another thread).
 *
 * @param model - the model.
 * @param spec - how to rebuild it; default {@link modelArchitectureOf}.
 */
export async function snapshotModel(
  model: tfl.LayersModel,
  spec: ModelArchitecture = modelArchitectureOf(model),
): Promise<ModelSnapshot> {
  const weights = new Map<string, SafetensorsTensor>();
  // Some backends (cpu) hand out their own storage from data(); copy, so transferring never detaches it.
  for (const [name, t] of await modelTensors(model)) weights.set(name, { ...t, data: t.data.slice() });
  return { spec, weights };
}

/** A deep copy of a snapshot's weights, e.g. one per worker before transferring their buffers. */
export function copySnapshot(snapshot: ModelSnapshot): ModelSnapshot {
  const weights = new Map<string, SafetensorsTensor>();
  for (const [name, t] of snapshot.weights)
    weights.set(name, { ...t, shape: [...t.shape], data: t.data.slice() });
  return { spec: snapshot.spec, weights };
}

/** The buffers of a snapshot's weights (to transfer). */
export function snapshotBuffers(snapshot: ModelSnapshot): ArrayBuffer[] {
  return [...snapshot.weights.values()].map((t) => t.data.buffer as ArrayBuffer);
}

/**
 * Builds the architecture a {@link ModelArchitecture} describes (with whatever initial weights it comes with).
 *
 * @param spec - the spec.
 * @throws Error naming the spec when the model cannot be built (unknown kind, unregistered layer class,
 *   a module without the factory).
 */
export async function buildArchitecture(spec: ModelArchitecture): Promise<tfl.LayersModel> {
  switch (spec.kind) {
    case 'registered':
      return buildModel(spec.model, spec.context);
    case 'topology':
      try {
        // Importing the module registers it already; registering again (idempotent) keeps a bundler from
        // dropping that import.
        tf.serialization.registerClass(KerasBatchNormalization);
        return await tfl.models.modelFromJSON({ modelTopology: spec.topology } as tf.io.ModelJSON);
      } catch (error) {
        throw new Error(
          `buildArchitecture: cannot rebuild the model from its topology (${error instanceof Error ? error.message : String(error)}); register custom layer classes with tf.serialization.registerClass, or describe the model with a 'registered' or 'module' architecture`,
        );
      }
    case 'module': {
      const exportName = spec.exportName ?? 'default';
      const module = (await import(moduleUrl(spec.url))) as Record<string, unknown>;
      const factory = module[exportName];
      if (typeof factory !== 'function')
        throw new Error(`buildArchitecture: ${spec.url} has no export '${exportName}' that is a function`);
      const model = (await (factory as (options: unknown) => unknown)(spec.options)) as tfl.LayersModel;
      if (!(model instanceof tfl.LayersModel))
        throw new Error(`buildArchitecture: ${spec.url} '${exportName}' did not return a tfjs-layers model`);
      return model;
    }
    default:
      throw new Error(
        `buildArchitecture: unknown model spec kind '${String((spec as { kind?: unknown }).kind)}'`,
      );
  }
}

/**
 * Rebuilds a model from a {@link ModelSnapshot}: builds the architecture and sets every weight, checking
 * names, shapes and dtypes first.
 *
 * @param snapshot - the snapshot.
 * @param source - what to call the weights in errors.
 * @returns the model, with the snapshot's weights.
 * @throws Error (SafetensorsError) naming the tensor for a missing, extra or mismatched weight.
 */
export async function restoreModel(snapshot: ModelSnapshot, source: string): Promise<tfl.LayersModel> {
  const model = await buildArchitecture(snapshot.spec);
  try {
    assignTensors(model, { tensors: snapshot.weights, metadata: {} }, source);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
