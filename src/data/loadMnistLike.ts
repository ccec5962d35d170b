import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from './dataset.js';
import {
  cachedMnistLikeDir,
  type DownloadMnistLikeOptions,
  defaultMnistLikeCacheDir,
  downloadMnistLike,
} from './downloadMnistLike.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdxFile } from './idx.js';
import type { Cifar10Data, Cifar10Preprocess } from './loadCifar10.js';
import {
  MNIST_LIKE_FILE_NAMES,
  MNIST_LIKE_NUM_CLASSES,
  MNIST_LIKE_PIXELS,
  MNIST_LIKE_SIDE,
  type MnistLikeFormat,
} from './mnistLikeFormat.js';
import { validationCount } from './validationSplit.js';

/** Options for `loadFashionMnist` and `loadMnist`. */
export interface LoadMnistLikeOptions extends Omit<DownloadMnistLikeOptions, 'cacheDir'> {
  /**
   * Directory holding the four IDX files, each gzipped (`train-images-idx3-ubyte.gz`) or plain
   * (`train-images-idx3-ubyte`), e.g. `/usr/share/datasets/fashion-mnist`. When absent, the download
   * cache is used.
   */
  dir?: string;
  /** Download the files into the cache if they are not there yet. Default false. Not allowed with `dir`. */
  download?: boolean;
  /** Cache directory; default `$XDG_CACHE_HOME/sgd-factors/<data set>`. */
  cacheDir?: string;
  /**
   * `'pixelMean'` (default): scale to [0, 1], then subtract the per-pixel mean of the full training set
   * (as for CIFAR-10). `'scale'`: scale to [0, 1] only.
   */
  preprocess?: Cifar10Preprocess;
  /**
   * A per-pixel mean to subtract instead of computing it (784 values, row-major, [0, 1] units, e.g. the
   * `pixelMean` of an earlier load). Only with `preprocess: 'pixelMean'`.
   */
  pixelMean?: Float32Array;
  /** Use only the first `limit` training images (before the validation split). Default all. */
  limit?: number;
  /** Use only the first `testLimit` test images. Default all. */
  testLimit?: number;
  /**
   * Hold out a validation set from the end of the (limited) training images: a fraction in (0, 1) or a
   * whole number ≥ 1. Default none.
   */
  validationSplit?: number;
}

/**
 * An MNIST-like data set as loaded: the same shape as CIFAR-10's, with `[n, 28, 28, 1]` images and a
 * `pixelMean` of 784 values.
 */
export type MnistLikeData = Cifar10Data;

/** One split as read from its two files: raw pixel bytes (n·784) and labels. */
interface RawSplit {
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** The file `name` or `name.gz` in `dir`, preferring the plain one (what `gunzip -k` leaves next to it). */
function findFile(fn: string, dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`]) {
    const path = join(dir, candidate);
    if (existsSync(path)) return path;
  }
  throw new Error(`${fn}: missing file ${join(dir, name)}(.gz)`);
}

function readIdx(fn: string, path: string, magic: number): ReturnType<typeof readIdxFile> {
  try {
    return readIdxFile(path, magic);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${fn}: ${message}`, { cause: error });
  }
}

/** Reads and cross-checks one split's image and label files. */
function readSplit(fn: string, imagesPath: string, labelsPath: string): RawSplit {
  const images = readIdx(fn, imagesPath, IDX_IMAGES_MAGIC);
  const [n, rows, cols] = images.dims as [number, number, number];
  if (rows !== MNIST_LIKE_SIDE || cols !== MNIST_LIKE_SIDE)
    throw new Error(
      `${fn}: ${imagesPath} holds ${rows}×${cols} images, expected ${MNIST_LIKE_SIDE}×${MNIST_LIKE_SIDE}`,
    );
  if (n === 0) throw new Error(`${fn}: ${imagesPath} holds no images`);
  const labels = readIdx(fn, labelsPath, IDX_LABELS_MAGIC);
  const m = labels.dims[0] as number;
  if (m !== n) throw new Error(`${fn}: ${imagesPath} holds ${n} images but ${labelsPath} holds ${m} labels`);
  const bad = labels.data.findIndex((label) => label >= MNIST_LIKE_NUM_CLASSES);
  if (bad >= 0)
    throw new Error(
      `${fn}: ${labelsPath} label ${bad} (byte ${8 + bad}) is ${labels.data[bad]}, expected 0–${MNIST_LIKE_NUM_CLASSES - 1}`,
    );
  return { pixels: images.data, labels: labels.data };
}

function checkCount(fn: string, name: string, value: number | undefined, max: number): number {
  if (value === undefined) return max;
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new RangeError(`${fn}: ${name} must be a whole number in [1, ${max}], got ${value}`);
  return value;
}

/** The per-pixel mean of all images of `pixels`, in [0, 1] units. */
function meanImage(pixels: Uint8Array): Float32Array {
  // 60,000 · 255 fits a Uint32 sum with room to spare; sums are exact.
  const sums = new Uint32Array(MNIST_LIKE_PIXELS);
  for (let at = 0; at < pixels.length; at += MNIST_LIKE_PIXELS)
    for (let i = 0; i < MNIST_LIKE_PIXELS; i++) sums[i] = (sums[i] as number) + (pixels[at + i] as number);
  const n = pixels.length / MNIST_LIKE_PIXELS;
  return Float32Array.from(sums, (s) => s / (255 * n));
}

/** The first `take` images as floats in [0, 1], minus `mean` when given. */
function toFloats(pixels: Uint8Array, take: number, mean: Float32Array | undefined): Float32Array {
  const out = new Float32Array(take * MNIST_LIKE_PIXELS);
  for (let at = 0; at < out.length; at += MNIST_LIKE_PIXELS)
    for (let i = 0; i < MNIST_LIKE_PIXELS; i++)
      out[at + i] = (pixels[at + i] as number) / 255 - (mean ? (mean[i] as number) : 0);
  return out;
}

function toDataset(pixels: Float32Array, labels: Uint8Array): Dataset {
  const n = labels.length;
  return {
    images: tf.tensor4d(pixels, [n, MNIST_LIKE_SIDE, MNIST_LIKE_SIDE, 1], 'float32'),
    labels: tf.tensor1d(Int32Array.from(labels), 'int32'),
    numClasses: MNIST_LIKE_NUM_CLASSES,
  };
}

/** The directory to read: `dir`, or the cache (filled first with `download: true`). */
async function resolveDir(
  format: MnistLikeFormat,
  fn: string,
  options: LoadMnistLikeOptions,
): Promise<string> {
  if (options.dir !== undefined) {
    if (options.download)
      throw new RangeError(`${fn}: give either dir (read from there) or download (fill the cache), not both`);
    if (!existsSync(options.dir)) throw new Error(`${fn}: directory ${options.dir} does not exist`);
    if (!statSync(options.dir).isDirectory()) throw new Error(`${fn}: ${options.dir} is not a directory`);
    return options.dir;
  }
  const cacheDir = options.cacheDir ?? defaultMnistLikeCacheDir(format);
  const cached = cachedMnistLikeDir(format, cacheDir);
  if (cached !== undefined) return cached;
  if (!options.download) {
    const megabytes = Object.values(format.files).reduce((s, f) => s + f.bytes, 0) / 1e6;
    throw new Error(
      `${fn}: ${format.title} is not in the cache ${cacheDir}; pass download: true to fetch it (${megabytes.toFixed(0)} MB) or dir: a directory holding the IDX files`,
    );
  }
  const { baseUrl, expectedFiles, silent, maxRedirects, idleTimeoutMs } = options;
  return downloadMnistLike(format, { cacheDir, baseUrl, expectedFiles, silent, maxRedirects, idleTimeoutMs });
}

function checkPreprocess(fn: string, options: LoadMnistLikeOptions): Cifar10Preprocess {
  const preprocess = options.preprocess ?? 'pixelMean';
  if (preprocess !== 'pixelMean' && preprocess !== 'scale')
    throw new RangeError(`${fn}: preprocess must be 'pixelMean' or 'scale', got '${String(preprocess)}'`);
  if (options.pixelMean !== undefined) {
    if (preprocess !== 'pixelMean')
      throw new RangeError(`${fn}: pixelMean was given but preprocess is '${preprocess}'`);
    if (options.pixelMean.length !== MNIST_LIKE_PIXELS)
      throw new RangeError(
        `${fn}: pixelMean must have ${MNIST_LIKE_PIXELS} values, got ${options.pixelMean.length}`,
      );
  }
  return preprocess;
}

/**
 * Loads an MNIST-like data set (four IDX files) into `[n, 28, 28, 1]` float32 image tensors and int32
 * label tensors. Used by `loadFashionMnist` and `loadMnist`, which document it.
 *
 * @param format - which data set (file sizes and checksums for the download, class names).
 * @param options - where the files are, preprocessing, subset and validation split.
 * @returns the data set (new tensors: the caller disposes them), the mean subtracted, the source directory.
 */
export async function loadMnistLike(
  format: MnistLikeFormat,
  options: LoadMnistLikeOptions = {},
): Promise<MnistLikeData> {
  const fn = `load${format.apiName}`;
  const preprocess = checkPreprocess(fn, options);
  const dir = await resolveDir(format, fn, options);
  const path = (name: string): string => findFile(fn, dir, name);
  const files = MNIST_LIKE_FILE_NAMES;
  const train = readSplit(fn, path(files.trainImages), path(files.trainLabels));
  const test = readSplit(fn, path(files.testImages), path(files.testLabels));
  const used = checkCount(fn, 'limit', options.limit, train.labels.length);
  const testN = checkCount(fn, 'testLimit', options.testLimit, test.labels.length);
  const validationN = validationCount(fn, options.validationSplit, used);

  let pixelMean: Float32Array | undefined;
  if (preprocess === 'pixelMean')
    pixelMean =
      options.pixelMean !== undefined ? Float32Array.from(options.pixelMean) : meanImage(train.pixels);
  const trainPixels = toFloats(train.pixels, used, pixelMean);
  const testPixels = toFloats(test.pixels, testN, pixelMean);

  const trainN = used - validationN;
  const created: tf.Tensor[] = [];
  try {
    const keep = (d: Dataset): Dataset => {
      created.push(d.images, d.labels);
      return d;
    };
    const at = trainN * MNIST_LIKE_PIXELS;
    const trainSet = keep(toDataset(trainPixels.subarray(0, at), train.labels.subarray(0, trainN)));
    const validation =
      validationN > 0
        ? keep(toDataset(trainPixels.subarray(at), train.labels.subarray(trainN, used)))
        : undefined;
    const testSet = keep(toDataset(testPixels, test.labels.subarray(0, testN)));
    return {
      train: trainSet,
      ...(validation ? { validation } : {}),
      test: testSet,
      preprocess,
      pixelMean,
      dir,
      classNames: format.classNames,
    };
  } catch (error) {
    tf.dispose(created);
    throw error;
  }
}
