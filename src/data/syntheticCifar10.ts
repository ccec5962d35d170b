import * as tf from '@tensorflow/tfjs-core';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { createRng, type Rng } from '../util/random.js';
import type { Dataset, SplitDataset } from './dataset.js';
import {
  balancedLabels,
  checkSyntheticSpec,
  drawImage,
  makeTemplates,
  type SyntheticImageSpec,
} from './syntheticImages.js';

/** Options for {@link syntheticCifar10}. */
export interface SyntheticCifar10Options {
  /** Training examples (a positive integer). */
  n: number;
  /** Seed: equal seeds give identical data sets. */
  seed: number;
  /** Test examples; default max(1, round(n / 5)). */
  testN?: number;
  /** Validation examples drawn from the same distribution; default 0 (no validation set). */
  validationN?: number;
  /** Number of classes; default 10. */
  numClasses?: number;
  /**
   * Per-pixel Gaussian noise standard deviation relative to the class template's RMS; default 1. Larger
   * values make the task harder: a small conv net reaches about 100% test accuracy within 3 epochs at 1,
   * about 90% at 4 and about 55% at 8 (1,000 examples, 6 epochs; see docs/data.md).
   */
  noise?: number;
  /** Largest random shift of the template, in pixels per axis; default 2. */
  maxShift?: number;
  /** Image height; default 32. */
  height?: number;
  /** Image width; default 32. */
  width?: number;
  /** Channels; default 3. */
  channels?: number;
}

const OPTION_KEYS: OptionKeys<SyntheticCifar10Options> = {
  n: true,
  seed: true,
  testN: true,
  validationN: true,
  numClasses: true,
  noise: true,
  maxShift: true,
  height: true,
  width: true,
  channels: true,
};

/** Resolves the defaults of the image options shared by the synthetic generators. */
export function syntheticSpec(
  caller: string,
  options: Pick<
    SyntheticCifar10Options,
    'numClasses' | 'noise' | 'maxShift' | 'height' | 'width' | 'channels'
  >,
): SyntheticImageSpec {
  const spec: SyntheticImageSpec = {
    height: options.height ?? 32,
    width: options.width ?? 32,
    channels: options.channels ?? 3,
    numClasses: options.numClasses ?? 10,
    noise: options.noise ?? 1,
    maxShift: options.maxShift ?? 2,
  };
  checkSyntheticSpec(caller, spec);
  return spec;
}

function makeDataset(rng: Rng, n: number, templates: Float32Array[], spec: SyntheticImageSpec): Dataset {
  const size = spec.height * spec.width * spec.channels;
  const labels = balancedLabels(rng, n, spec.numClasses);
  const pixels = new Float32Array(n * size);
  for (let i = 0; i < n; i++)
    drawImage(rng, templates[labels[i] as number] as Float32Array, spec, pixels, i * size);
  return {
    images: tf.tensor4d(pixels, [n, spec.height, spec.width, spec.channels], 'float32'),
    labels: tf.tensor1d(labels, 'int32'),
    numClasses: spec.numClasses,
  };
}

/**
 * A synthetic, learnable data set shaped like CIFAR-10 (32×32×3 by default), for tests, benchmarks and
 * demonstrations when the real data is absent. It is never substituted for real data by this library:
 * callers ask for it by name.
 *
 * @remarks
 * Each class has a random template (unit root-mean-square): a class colour (per-channel offset), a texture
 * (a plane wave of class-specific frequency, orientation and colour) and a smooth layout (coarse Gaussian
 * grids, bilinearly upsampled). Colour and texture are translation invariant, so a small network that pools
 * globally can learn the task; the layout rewards keeping spatial information. An example is its class
 * template shifted by up to `maxShift` pixels (edges clamped), scaled by a random contrast in
 * [0.75, 1.25], plus independent Gaussian noise of relative standard deviation `noise`; everything is
 * multiplied by 0.25, so pixel values resemble mean-subtracted CIFAR pixels in [0, 1] units.
 * Labels are balanced and shuffled. Train, validation and test sets share the templates and come from
 * independent streams of the seed.
 *
 * @param options - sizes, seed and difficulty.
 * @returns a split data set of new tensors (the caller disposes them).
 */
export function syntheticCifar10(options: SyntheticCifar10Options): SplitDataset {
  checkOptionKeys('syntheticCifar10', options, OPTION_KEYS);
  const { n, seed } = options;
  const testN = options.testN ?? Math.max(1, Math.round(n / 5));
  const validationN = options.validationN ?? 0;
  if (!Number.isInteger(n) || n <= 0)
    throw new RangeError(`syntheticCifar10: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(testN) || testN <= 0)
    throw new RangeError(`syntheticCifar10: testN must be a positive integer, got ${testN}`);
  if (!Number.isInteger(validationN) || validationN < 0)
    throw new RangeError(`syntheticCifar10: validationN must be a non-negative integer, got ${validationN}`);
  if (!Number.isFinite(seed)) throw new RangeError(`syntheticCifar10: seed must be finite, got ${seed}`);
  const spec = syntheticSpec('syntheticCifar10', options);
  const root = createRng(seed);
  const templates = makeTemplates(root.fork(), spec);
  const trainRng = root.fork();
  const testRng = root.fork();
  const validationRng = root.fork();
  const train = makeDataset(trainRng, n, templates, spec);
  const test = makeDataset(testRng, testN, templates, spec);
  if (validationN === 0) return { train, test };
  return { train, validation: makeDataset(validationRng, validationN, templates, spec), test };
}
