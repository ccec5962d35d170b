import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { createRng } from '../util/random.js';
import {
  CIFAR10_CHANNELS,
  CIFAR10_CLASS_NAMES,
  CIFAR10_NUM_CLASSES,
  CIFAR10_PIXELS,
  CIFAR10_RECORD_BYTES,
  CIFAR10_RECORDS_PER_FILE,
  CIFAR10_SIDE,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
} from './cifar10Format.js';
import { syntheticSpec } from './syntheticCifar10.js';
import { balancedLabels, drawImage, makeTemplates } from './syntheticImages.js';

/** Options for {@link writeCifar10Binary}. */
export interface WriteCifar10BinaryOptions {
  /** Records in each of the six files; default 10,000 as in the real distribution. */
  recordsPerFile?: number;
  /** Seed of the generated content; default 0. */
  seed?: number;
  /** Classes used for labels, at most 10; default 10. */
  numClasses?: number;
  /** Relative noise of the synthetic images (as in {@link SyntheticCifar10Options}); default 1. */
  noise?: number;
}

const OPTION_KEYS: OptionKeys<WriteCifar10BinaryOptions> = {
  recordsPerFile: true,
  seed: true,
  numClasses: true,
  noise: true,
};

/** What {@link writeCifar10Binary} wrote. */
export interface WrittenCifar10 {
  /** The directory holding the files. */
  dir: string;
  /** Full paths of `data_batch_1.bin` … `data_batch_5.bin`. */
  trainFiles: string[];
  /** Full path of `test_batch.bin`. */
  testFile: string;
  /** Labels of all training records, in file order. */
  trainLabels: Uint8Array;
  /** Labels of the test records. */
  testLabels: Uint8Array;
}

/**
 * Writes synthetic images in the CIFAR-10 binary format (`data_batch_1.bin` … `data_batch_5.bin`,
 * `test_batch.bin`, `batches.meta.txt`) to `dir`, for tests and benchmarks of the real loading path
 * without the real data.
 *
 * @remarks
 * The images are those of {@link syntheticCifar10} (class templates plus noise), mapped to bytes by
 * round(255·(0.5 + v)) and clamped to [0, 255], stored planar (CHW) as in the real files; they are
 * therefore learnable. Each file is written atomically. To build an archive in the official layout, write
 * into `<root>/cifar-10-batches-bin` and pack `<root>`.
 *
 * @param dir - destination directory (created if missing).
 * @param options - records per file, seed, classes, noise.
 * @returns the paths written and the labels.
 */
export function writeCifar10Binary(dir: string, options: WriteCifar10BinaryOptions = {}): WrittenCifar10 {
  checkOptionKeys('writeCifar10Binary', options, OPTION_KEYS);
  const recordsPerFile = options.recordsPerFile ?? CIFAR10_RECORDS_PER_FILE;
  if (!Number.isInteger(recordsPerFile) || recordsPerFile <= 0)
    throw new RangeError(
      `writeCifar10Binary: recordsPerFile must be a positive integer, got ${recordsPerFile}`,
    );
  const numClasses = options.numClasses ?? CIFAR10_NUM_CLASSES;
  if (numClasses > CIFAR10_NUM_CLASSES)
    throw new RangeError(
      `writeCifar10Binary: numClasses must be at most 10 (one label byte 0–9), got ${numClasses}`,
    );
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`writeCifar10Binary: seed must be finite, got ${seed}`);
  const spec = syntheticSpec('writeCifar10Binary', {
    numClasses,
    ...(options.noise !== undefined ? { noise: options.noise } : {}),
  });
  const root = createRng(seed);
  const templates = makeTemplates(root.fork(), spec);
  const plane = CIFAR10_SIDE * CIFAR10_SIDE;
  const image = new Float32Array(CIFAR10_PIXELS);
  const writeFile = (name: string, rngSeed: number): { path: string; labels: Uint8Array } => {
    const rng = createRng(rngSeed);
    const labels = balancedLabels(rng, recordsPerFile, numClasses);
    // Clamped: out-of-range pixel values saturate at 0 or 255 instead of wrapping around.
    const bytes = new Uint8ClampedArray(recordsPerFile * CIFAR10_RECORD_BYTES);
    for (let r = 0; r < recordsPerFile; r++) {
      const label = labels[r] as number;
      drawImage(rng, templates[label] as Float32Array, spec, image, 0);
      const base = r * CIFAR10_RECORD_BYTES;
      bytes[base] = label;
      for (let p = 0; p < plane; p++)
        for (let ch = 0; ch < CIFAR10_CHANNELS; ch++) {
          bytes[base + 1 + ch * plane + p] = Math.round(
            255 * (0.5 + (image[p * CIFAR10_CHANNELS + ch] as number)),
          );
        }
    }
    const path = join(dir, name);
    writeFileAtomic(path, new Uint8Array(bytes.buffer));
    return { path, labels: Uint8Array.from(labels) };
  };
  const fileSeeds = CIFAR10_TRAIN_FILES.map(() => root.next() * 4294967296);
  const testSeed = root.next() * 4294967296;
  const train = CIFAR10_TRAIN_FILES.map((name, i) => writeFile(name, fileSeeds[i] as number));
  const test = writeFile(CIFAR10_TEST_FILE, testSeed);
  writeFileAtomic(join(dir, 'batches.meta.txt'), `${CIFAR10_CLASS_NAMES.join('\n')}\n`);
  const trainLabels = new Uint8Array(recordsPerFile * CIFAR10_TRAIN_FILES.length);
  train.forEach((file, i) => {
    trainLabels.set(file.labels, i * recordsPerFile);
  });
  return {
    dir,
    trainFiles: train.map((file) => file.path),
    testFile: test.path,
    trainLabels,
    testLabels: test.labels,
  };
}
