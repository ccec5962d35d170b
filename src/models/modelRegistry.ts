import type { LayersModel } from '@tensorflow/tfjs-layers';
import { closestName } from '../util/knownKeys.js';
import { BUILTIN_MODELS } from './builtinModels.js';

/** What a registered model is built for: the data's shape and classes, and the initialization seed. */
export interface ModelContext {
  /** Shape of one input example (the data source's, e.g. `[28, 28, 1]` or `[784]`). */
  inputShape: readonly number[];
  /** Number of classes of the data. */
  numClasses: number;
  /** Seed of the initialization. */
  seed: number;
}

/**
 * A model family that run specs and sweep configs can name (`{ name: 'resnetV1', options: { depth: 20 } }`).
 * Options are plain JSON, so that a run's `config.json` rebuilds the same network later.
 */
export interface ModelDefinition {
  /** The name in specs and on the command line. */
  readonly name: string;
  /** One line for help texts. */
  readonly summary: string;
  /**
   * Checks options (from a config file, flags or code) and fills in defaults. Unknown or invalid options
   * are errors whose message starts with `where` and names the option.
   */
  normalize(options: Readonly<Record<string, unknown>>, where: string): Record<string, unknown>;
  /** A short human label of normalized options, e.g. `ResNet-20` or `MLP 784-128-10`. */
  describe(options: Readonly<Record<string, unknown>>): string;
  /** Builds the untrained network from normalized options for this data; throws when the data cannot fit. */
  build(options: Readonly<Record<string, unknown>>, context: ModelContext): LayersModel;
}

/** A model as a run spec names it: a registered family and its (normalized) options. */
export interface ModelSpec {
  /** The registered name (`resnetV1`, `mlp`, or one registered by the user). */
  name: string;
  /** The family's options, normalized by its {@link ModelDefinition.normalize}. */
  options: Record<string, unknown>;
}

const registry = new Map<string, ModelDefinition>(BUILTIN_MODELS.map((m) => [m.name, m]));

/**
 * Adds a model family to the registry, so that run specs, sweep configs and `--model` can name it.
 *
 * @throws Error when the name is taken by another definition.
 */
export function registerModel(definition: ModelDefinition): void {
  const existing = registry.get(definition.name);
  if (existing && existing !== definition)
    throw new Error(`registerModel: a model named '${definition.name}' is already registered`);
  registry.set(definition.name, definition);
}

/** The names of the registered model families, in registration order. */
export function modelNames(): string[] {
  return [...registry.keys()];
}

/**
 * The registered model family of this name.
 *
 * @throws Error naming the unknown model, the nearest registered one and the list.
 */
export function modelDefinition(name: string): ModelDefinition {
  const definition = registry.get(name);
  if (definition) return definition;
  const close = closestName(name, modelNames());
  throw new Error(
    `unknown model '${name}'${close ? ` (did you mean '${close}'?)` : ''}; registered models: ${modelNames().join(', ')}`,
  );
}

/**
 * Checks a model spec against its family and fills in the defaults.
 *
 * @param spec - `{ name, options }`, e.g. from a config file.
 * @param where - quoted at the start of error messages (e.g. the file and field).
 */
export function normalizeModelSpec(
  spec: { name: string; options?: Record<string, unknown> },
  where: string,
): ModelSpec {
  const definition = modelDefinition(spec.name);
  return { name: definition.name, options: definition.normalize(spec.options ?? {}, where) };
}

/** Builds the untrained network a (normalized) model spec describes, for data of this shape and classes. */
export function buildModel(spec: ModelSpec, context: ModelContext): LayersModel {
  return modelDefinition(spec.name).build(spec.options, context);
}

/** The short label of a model spec, e.g. `ResNet-20`. */
export function describeModel(spec: ModelSpec): string {
  return modelDefinition(spec.name).describe(spec.options);
}
