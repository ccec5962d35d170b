import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describePathKind, pathKind } from '../util/fileErrors.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import {
  CIFAR10_ARCHIVE_DIR,
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
import type { Dataset, SplitDataset } from './dataset.js';
import {
  cachedCifar10Dir,
  DOWNLOAD_CIFAR10_OPTION_KEYS,
  type DownloadCifar10Options,
  defaultCifar10CacheDir,
  downloadCifar10,
} from './downloadCifar10.js';
import { validationCount } from './validationSplit.js';

/** How images are preprocessed by {@link loadCifar10}. */
export type Cifar10Preprocess = 'pixelMean' | 'scale';

/** Options for {@link loadCifar10}. */
export interface LoadCifar10Options extends Omit<DownloadCifar10Options, 'cacheDir'> {
  /**
   * Directory holding `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin` (or holding a
   * `cifar-10-batches-bin` directory with them). When absent, the download cache is used.
   */
  dir?: string;
  /** Download the archive into the cache if it is not there yet. Default false. Not allowed with `dir`. */
  download?: boolean;
  /** Cache directory; default {@link defaultCifar10CacheDir}. */
  cacheDir?: string;
  /**
   * `'pixelMean'` (default): scale to [0, 1], then subtract the per-pixel mean of the full training set,
   * as the Keras CIFAR-10 ResNet example does. `'scale'`: scale to [0, 1] only.
   */
  preprocess?: Cifar10Preprocess;
  /**
   * A per-pixel mean to subtract instead of computing it (HWC order, 3,072 values in [0, 1] units, e.g. the
   * `pixelMean` of an earlier load), so that a later measurement preprocesses exactly as training did.
   * Only with `preprocess: 'pixelMean'`.
   */
  pixelMean?: Float32Array;
  /** Use only the first `limit` training records (before the validation split). Default all. */
  limit?: number;
  /** Use only the first `testLimit` test records. Default all. */
  testLimit?: number;
  /**
   * Hold out a validation set from the end of the (limited) training records: a fraction in (0, 1) or a
   * whole number of records ≥ 1. Default none.
   */
  validationSplit?: number;
  /** Records per file; default 10,000 (the real files). Smaller values are for generated test data. */
  recordsPerFile?: number;
}

const OPTION_KEYS: OptionKeys<LoadCifar10Options> = {
  ...DOWNLOAD_CIFAR10_OPTION_KEYS,
  dir: true,
  download: true,
  preprocess: true,
  pixelMean: true,
  limit: true,
  testLimit: true,
  validationSplit: true,
  recordsPerFile: true,
};

/** CIFAR-10 as loaded by {@link loadCifar10}. */
export interface Cifar10Data extends SplitDataset {
  /** The preprocessing applied. */
  preprocess: Cifar10Preprocess;
  /**
   * The per-pixel mean that was subtracted (HWC order, [0, 1] units, over all training records of all
   * five files, whatever `limit` and `validationSplit`), or undefined with `preprocess: 'scale'`.
   */
  pixelMean: Float32Array | undefined;
  /** The directory the files were read from. */
  dir: string;
  /** Class names by label. */
  classNames: readonly string[];
}

function resolveDir(dir: string): string {
  const kind = pathKind(dir);
  if (kind !== 'directory') throw new Error(`loadCifar10: directory ${dir} ${describePathKind(kind)}`);
  const nested = join(dir, CIFAR10_ARCHIVE_DIR);
  if (!existsSync(join(dir, CIFAR10_TRAIN_FILES[0] as string)) && existsSync(nested)) return nested;
  return dir;
}

function checkFile(path: string, recordsPerFile: number): void {
  const kind = pathKind(path);
  if (kind === 'missing') throw new Error(`loadCifar10: missing file ${path}`);
  if (kind !== 'file')
    throw new Error(`loadCifar10: ${path} ${describePathKind(kind)}, not a CIFAR-10 batch file`);
  const size = statSync(path).size;
  const expected = recordsPerFile * CIFAR10_RECORD_BYTES;
  if (size !== expected)
    throw new Error(
      `loadCifar10: ${path} has ${size} bytes, expected ${expected} (${recordsPerFile} records of ${CIFAR10_RECORD_BYTES} bytes)`,
    );
}

function readWhole(path: string, size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < size) {
      const n = readSync(fd, buffer, done, size - done, done);
      if (n === 0) throw new Error(`loadCifar10: ${path} ended after ${done} of ${size} bytes`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return buffer;
}

/**
 * Reads records of one file: checks every label, adds every record's pixels to `sums` (CHW) when given,
 * and converts the first `take` records to HWC floats in [0, 1] at record `at` of `pixels`/`labels`.
 */
function readFile(
  path: string,
  recordsPerFile: number,
  take: number,
  pixels: Float32Array,
  labels: Int32Array,
  at: number,
  sums: Uint32Array | undefined,
): void {
  const buffer = readWhole(path, recordsPerFile * CIFAR10_RECORD_BYTES);
  const plane = CIFAR10_SIDE * CIFAR10_SIDE;
  const last = sums ? recordsPerFile : take;
  for (let r = 0; r < last; r++) {
    const base = r * CIFAR10_RECORD_BYTES;
    const label = buffer[base] as number;
    if (label >= CIFAR10_NUM_CLASSES)
      throw new Error(`loadCifar10: ${path} record ${r} (byte ${base}) has label ${label}, expected 0–9`);
    if (sums)
      for (let i = 0; i < CIFAR10_PIXELS; i++)
        sums[i] = (sums[i] as number) + (buffer[base + 1 + i] as number);
    if (r >= take) continue;
    labels[at + r] = label;
    const out = (at + r) * CIFAR10_PIXELS;
    for (let ch = 0; ch < CIFAR10_CHANNELS; ch++) {
      const from = base + 1 + ch * plane;
      for (let p = 0; p < plane; p++)
        pixels[out + p * CIFAR10_CHANNELS + ch] = (buffer[from + p] as number) / 255;
    }
  }
}

function checkCount(name: string, value: number | undefined, max: number): number {
  if (value === undefined) return max;
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new RangeError(`loadCifar10: ${name} must be a whole number in [1, ${max}], got ${value}`);
  return value;
}

function toDataset(pixels: Float32Array, labels: Int32Array): Dataset {
  const n = labels.length;
  return {
    images: tf.tensor4d(pixels, [n, CIFAR10_SIDE, CIFAR10_SIDE, CIFAR10_CHANNELS], 'float32'),
    labels: tf.tensor1d(labels, 'int32'),
    numClasses: CIFAR10_NUM_CLASSES,
  };
}

/**
 * Loads CIFAR-10 from its binary distribution into NHWC float32 image tensors and int32 label tensors.
 *
 * @remarks
 * Files: `data_batch_1.bin` … `data_batch_5.bin` (training, concatenated in this order) and
 * `test_batch.bin`, each `recordsPerFile` records of one label byte and 3,072 pixel bytes in CHW order.
 * Every file's size and every label read are checked first; errors name the file and the problem.
 *
 * Preprocessing: pixels are divided by 255; with `'pixelMean'` (the default) the per-pixel mean of all
 * training records is then subtracted from training, validation and test images alike. The mean is always
 * taken over the full training set, whatever `limit` or `validationSplit` (as in the Keras example), so a
 * subset loaded later is preprocessed identically; it is returned as `pixelMean` and can be passed back.
 *
 * Memory: each split is built once as one Float32Array and turned into one tensor (the full training set
 * is 50,000·3,072 floats, 600 MB); files are read one at a time.
 *
 * Without `dir`, the files come from the download cache; with `download: true` the archive is fetched into
 * it first if needed (see {@link downloadCifar10}). Nothing synthetic is ever substituted: if the data is
 * absent this is an error.
 *
 * @param options - where the files are, preprocessing, subset and validation split.
 * @returns the data set (new tensors: the caller disposes them), the mean subtracted, the source directory.
 */
export async function loadCifar10(options: LoadCifar10Options = {}): Promise<Cifar10Data> {
  checkOptionKeys('loadCifar10', options, OPTION_KEYS);
  const recordsPerFile = options.recordsPerFile ?? CIFAR10_RECORDS_PER_FILE;
  if (!Number.isInteger(recordsPerFile) || recordsPerFile <= 0)
    throw new RangeError(`loadCifar10: recordsPerFile must be a positive integer, got ${recordsPerFile}`);
  const preprocess = options.preprocess ?? 'pixelMean';
  if (preprocess !== 'pixelMean' && preprocess !== 'scale')
    throw new RangeError(
      `loadCifar10: preprocess must be 'pixelMean' or 'scale', got '${String(preprocess)}'`,
    );
  if (options.pixelMean !== undefined) {
    if (preprocess !== 'pixelMean')
      throw new RangeError(`loadCifar10: pixelMean was given but preprocess is '${preprocess}'`);
    if (options.pixelMean.length !== CIFAR10_PIXELS)
      throw new RangeError(
        `loadCifar10: pixelMean must have ${CIFAR10_PIXELS} values, got ${options.pixelMean.length}`,
      );
  }
  const allTrain = recordsPerFile * CIFAR10_TRAIN_FILES.length;
  const used = checkCount('limit', options.limit, allTrain);
  const testN = checkCount('testLimit', options.testLimit, recordsPerFile);
  const validationN = validationCount('loadCifar10', options.validationSplit, used);

  let dir: string;
  if (options.dir !== undefined) {
    if (options.download)
      throw new RangeError(
        'loadCifar10: give either dir (read from there) or download (fill the cache), not both',
      );
    dir = resolveDir(options.dir);
  } else {
    const cacheDir = options.cacheDir ?? defaultCifar10CacheDir();
    const cached = cachedCifar10Dir(cacheDir);
    if (cached !== undefined) dir = cached;
    else if (options.download) {
      const { url, expectedMd5, expectedBytes, silent, maxRedirects, idleTimeoutMs } = options;
      dir = await downloadCifar10({
        cacheDir,
        url,
        expectedMd5,
        expectedBytes,
        silent,
        maxRedirects,
        idleTimeoutMs,
      });
    } else
      throw new Error(
        `loadCifar10: CIFAR-10 is not in the cache ${cacheDir}; pass download: true to fetch it (170 MB) or dir: a directory holding the binary files`,
      );
  }
  const trainPaths = CIFAR10_TRAIN_FILES.map((name) => join(dir, name));
  const testPath = join(dir, CIFAR10_TEST_FILE);
  for (const path of [...trainPaths, testPath]) checkFile(path, recordsPerFile);

  const trainPixels = new Float32Array(used * CIFAR10_PIXELS);
  const trainLabels = new Int32Array(used);
  const sums =
    preprocess === 'pixelMean' && options.pixelMean === undefined
      ? new Uint32Array(CIFAR10_PIXELS)
      : undefined;
  trainPaths.forEach((path, i) => {
    const at = i * recordsPerFile;
    const take = Math.max(0, Math.min(recordsPerFile, used - at));
    if (take > 0 || sums) readFile(path, recordsPerFile, take, trainPixels, trainLabels, at, sums);
  });
  const testPixels = new Float32Array(testN * CIFAR10_PIXELS);
  const testLabels = new Int32Array(testN);
  readFile(testPath, recordsPerFile, testN, testPixels, testLabels, 0, undefined);

  let pixelMean: Float32Array | undefined;
  if (preprocess === 'pixelMean') {
    if (options.pixelMean !== undefined) pixelMean = Float32Array.from(options.pixelMean);
    else {
      pixelMean = new Float32Array(CIFAR10_PIXELS);
      const plane = CIFAR10_SIDE * CIFAR10_SIDE;
      for (let ch = 0; ch < CIFAR10_CHANNELS; ch++)
        for (let p = 0; p < plane; p++)
          pixelMean[p * CIFAR10_CHANNELS + ch] =
            ((sums as Uint32Array)[ch * plane + p] as number) / (255 * allTrain);
    }
    for (const pixels of [trainPixels, testPixels])
      for (let at = 0; at < pixels.length; at += CIFAR10_PIXELS)
        for (let i = 0; i < CIFAR10_PIXELS; i++)
          pixels[at + i] = (pixels[at + i] as number) - (pixelMean[i] as number);
  }

  const trainN = used - validationN;
  const created: tf.Tensor[] = [];
  try {
    const keep = (d: Dataset): Dataset => {
      created.push(d.images, d.labels);
      return d;
    };
    const train = keep(
      toDataset(trainPixels.subarray(0, trainN * CIFAR10_PIXELS), trainLabels.subarray(0, trainN)),
    );
    const validation =
      validationN > 0
        ? keep(toDataset(trainPixels.subarray(trainN * CIFAR10_PIXELS), trainLabels.subarray(trainN)))
        : undefined;
    const test = keep(toDataset(testPixels, testLabels));
    return {
      train,
      ...(validation ? { validation } : {}),
      test,
      preprocess,
      pixelMean,
      dir,
      classNames: CIFAR10_CLASS_NAMES,
    };
  } catch (error) {
    tf.dispose(created);
    throw error;
  }
}
