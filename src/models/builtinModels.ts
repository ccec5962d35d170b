import { OptionReader } from '../util/optionReader.js';
import { MLP_ACTIVATIONS, mlp } from './mlp.js';
import type { ModelDefinition } from './modelRegistry.js';
import { resnetV1 } from './resnetV1.js';

/**
 * The deepest ResNet v1 the registry builds: He et al.'s deepest CIFAR network has 1,202 layers. A larger
 * depth is a typo, and building it would run out of memory long before an error.
 */
export const MAX_RESNET_DEPTH = 1202;
/** The widest stem the registry builds (the last stack has 4× as many filters). */
export const MAX_RESNET_FILTERS = 512;

/** ResNet v1 (Keras' `cifar10_resnet.py`, the paper's Figure 1) for images `[h, w, c]`. */
export const resnetV1Model: ModelDefinition = {
  name: 'resnetV1',
  summary: 'ResNet v1 of depth 6n+2 (default 20; the paper: 56), numFilters in the first stack (default 16)',
  normalize(options, where) {
    const read = new OptionReader(where, options, ['depth', 'numFilters', 'weightDecay']);
    const depth = read.integer('depth', 20, 8, MAX_RESNET_DEPTH);
    if ((depth - 2) % 6 !== 0)
      throw new RangeError(
        `${where}: field 'depth' must be of the form 6n+2 (8, 14, 20, …, 56), got ${depth}`,
      );
    return {
      depth,
      numFilters: read.integer('numFilters', 16, 1, MAX_RESNET_FILTERS),
      weightDecay: read.number('weightDecay', 1e-4, 0, 1),
    };
  },
  describe: (options) =>
    `ResNet-${options['depth']}${options['numFilters'] !== 16 ? ` (${options['numFilters']} filters)` : ''}`,
  build(options, context) {
    if (context.inputShape.length !== 3)
      throw new RangeError(
        `resnetV1 needs images [height, width, channels], but the data's examples have shape [${context.inputShape.join(', ')}]; use the mlp model for vectors`,
      );
    return resnetV1({
      depth: options['depth'] as number,
      numFilters: options['numFilters'] as number,
      weightDecay: options['weightDecay'] as number,
      inputShape: context.inputShape as [number, number, number],
      numClasses: context.numClasses,
      seed: context.seed,
    });
  },
};

/** A fully connected classifier ({@link mlp}) for inputs of any shape. */
export const mlpModel: ModelDefinition = {
  name: 'mlp',
  summary: 'fully connected network: hidden widths (default [128]), activation relu|tanh|sigmoid',
  normalize(options, where) {
    const read = new OptionReader(where, options, ['hidden', 'activation', 'weightDecay']);
    return {
      hidden: read.integers('hidden', [128], 1, 65536, 64),
      activation: read.choice('activation', 'relu', MLP_ACTIVATIONS),
      weightDecay: read.number('weightDecay', 0, 0, 1),
    };
  },
  describe: (options) => `MLP [${(options['hidden'] as number[]).join(', ')}] ${options['activation']}`,
  build(options, context) {
    return mlp({
      inputShape: context.inputShape,
      numClasses: context.numClasses,
      hidden: options['hidden'] as number[],
      activation: options['activation'] as (typeof MLP_ACTIVATIONS)[number],
      weightDecay: options['weightDecay'] as number,
      seed: context.seed,
    });
  },
};

/** The model families registered from the start. */
export const BUILTIN_MODELS: readonly ModelDefinition[] = [resnetV1Model, mlpModel];
