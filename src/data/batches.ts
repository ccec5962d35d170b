import * as tf from '@tensorflow/tfjs-core';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { createRng, type Rng } from '../util/random.js';
import type { Dataset } from './dataset.js';

/** Options for {@link epochBatches}. */
export interface BatchOrderOptions {
  /** Examples per mini-batch (a positive integer). */
  batchSize: number;
  /** Seed of the whole run; each epoch derives its own stream from it and the epoch number. */
  seed: number;
  /**
   * Draw each batch uniformly with replacement instead of shuffling once per epoch. Default false.
   *
   * @remarks
   * The two schemes give different gradient-noise covariances: with replacement the mini-batch gradient
   * noise has covariance Σ/m exactly; without replacement (an epoch-wise shuffle) it is Σ/m · (n−m)/(n−1).
   */
  replacement?: boolean;
  /** Drop the last, smaller batch of an epoch (or use floor instead of ceil batches with replacement). Default false. */
  dropLast?: boolean;
}

const OPTION_KEYS: OptionKeys<BatchOrderOptions> = {
  batchSize: true,
  seed: true,
  replacement: true,
  dropLast: true,
};

/** Options for the augmentation of {@link gatherBatch}. */
export interface AugmentOptions {
  /** Zero-pad each side by this many pixels, then crop a random h×w window (e.g. 4 for CIFAR). Default 0. */
  padCrop?: number;
  /** Mirror each image left–right with probability ½. Default false. */
  flip?: boolean;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

/**
 * The generator of one epoch: the run seed and the epoch number are hashed into a 32-bit seed, so that
 * epoch k's order never depends on how many random numbers earlier epochs consumed (a resumed run
 * reproduces it without replaying them).
 */
function epochRng(seed: number, epoch: number): Rng {
  const seedHash = Math.floor(createRng(seed).next() * 4294967296);
  // Multiplying by an odd constant is a bijection mod 2³², so distinct epochs of one run never share a stream.
  return createRng((seedHash ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
}

/**
 * The example indices of every mini-batch of epoch `epoch` (0-based), a pure function of
 * (n, epoch, options) so that a resumed run reproduces it.
 *
 * @remarks
 * Without replacement: a seeded Fisher–Yates shuffle per epoch, cut into consecutive batches (the last
 * one smaller unless `dropLast`), so every index appears exactly once (at most once with `dropLast`).
 * With replacement: ceil(n / batchSize) batches (floor with `dropLast`) of exactly `batchSize` indices,
 * each drawn independently and uniformly from [0, n).
 *
 * @param n - number of examples in the data set (a positive integer).
 * @param epoch - 0-based epoch number.
 * @param options - batch size, seed, sampling scheme.
 * @returns one Int32Array of indices per mini-batch, in the order they are to be used.
 */
export function epochBatches(n: number, epoch: number, options: BatchOrderOptions): Int32Array[] {
  checkOptionKeys('epochBatches', options, OPTION_KEYS);
  checkPositiveInteger('epochBatches: n', n);
  if (!Number.isInteger(epoch) || epoch < 0)
    throw new RangeError(`epochBatches: epoch must be a non-negative integer, got ${epoch}`);
  const { batchSize, seed } = options;
  checkPositiveInteger('epochBatches: options.batchSize', batchSize);
  if (!Number.isFinite(seed)) throw new RangeError(`epochBatches: options.seed must be finite, got ${seed}`);
  const dropLast = options.dropLast ?? false;
  if (dropLast && batchSize > n)
    throw new RangeError(
      `epochBatches: options.batchSize (${batchSize}) exceeds n (${n}) with dropLast, so an epoch has no batch`,
    );
  const rng = epochRng(seed, epoch);
  const batches: Int32Array[] = [];
  if (options.replacement) {
    const count = dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
    for (let b = 0; b < count; b++) {
      const batch = new Int32Array(batchSize);
      for (let i = 0; i < batchSize; i++) batch[i] = rng.int(n);
      batches.push(batch);
    }
    return batches;
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(start + batchSize, n);
    if (dropLast && end - start < batchSize) break;
    batches.push(order.slice(start, end));
  }
  return batches;
}

/**
 * Gathers a mini-batch as new tensors (the caller disposes them), optionally augmented.
 *
 * @remarks
 * Augmentation, per image and in this order: zero-pad by `padCrop` pixels on every side and crop a
 * uniformly placed h×w window (offsets in [0, 2·padCrop] on each axis), then mirror left–right with
 * probability ½. The random draws come from `createRng(augment.seed)` only, so the same seed and indices
 * give the same batch on every backend. Augmentation is done in plain JS on the gathered batch (one
 * read-back of b·h·w·c floats), which keeps it exact: no interpolation is involved.
 *
 * @param data - the data set to draw from.
 * @param indices - example indices, each in [0, n).
 * @param augment - augmentation options and the seed of their random draws; omit for none.
 * @returns examples [b, ...example shape] float32 and labels [b] int32.
 */
export function gatherBatch(
  data: Dataset,
  indices: Int32Array,
  augment?: AugmentOptions & { seed: number },
): { images: tf.Tensor; labels: tf.Tensor1D } {
  const n = data.images.shape[0] as number;
  if (indices.length === 0) throw new RangeError('gatherBatch: indices is empty');
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i] as number;
    if (k < 0 || k >= n)
      throw new RangeError(`gatherBatch: indices[${i}] = ${k} is outside the data set [0, ${n})`);
  }
  const padCrop = augment?.padCrop ?? 0;
  const flip = augment?.flip ?? false;
  if (augment !== undefined) {
    if (!Number.isInteger(padCrop) || padCrop < 0)
      throw new RangeError(`gatherBatch: augment.padCrop must be a non-negative integer, got ${padCrop}`);
    if (!Number.isFinite(augment.seed))
      throw new RangeError(`gatherBatch: augment.seed must be finite, got ${augment.seed}`);
  }
  const b = indices.length;
  const augmenting = augment !== undefined && (padCrop > 0 || flip);
  if (augmenting && data.images.rank !== 4)
    throw new RangeError(
      `gatherBatch: augmentation (pad-crop, flip) needs images [n, h, w, c], got examples of shape [${data.images.shape.slice(1)}]`,
    );
  const [, h = 1, w = 1, c = 1] = data.images.shape;
  return tf.tidy(() => {
    const idx = tf.tensor1d(indices, 'int32');
    const labels = tf.cast(tf.gather(data.labels, idx), 'int32') as tf.Tensor1D;
    const gathered = tf.cast(tf.gather(data.images, idx), 'float32');
    if (augment === undefined || !augmenting) return { images: gathered, labels };
    const src = gathered.dataSync() as Float32Array;
    const out = new Float32Array(src.length);
    const rng = createRng(augment.seed);
    const imageSize = h * w * c;
    const rowSize = w * c;
    for (let e = 0; e < b; e++) {
      const dy = padCrop > 0 ? rng.int(2 * padCrop + 1) - padCrop : 0;
      const dx = padCrop > 0 ? rng.int(2 * padCrop + 1) - padCrop : 0;
      const mirror = flip && rng.next() < 0.5;
      const base = e * imageSize;
      // out[y][x] = padded[y + dy + p][x' + dx + p] = image[y + dy][x' + dx], with x' the (mirrored) column.
      for (let y = 0; y < h; y++) {
        const sy = y + dy;
        if (sy < 0 || sy >= h) continue;
        for (let x = 0; x < w; x++) {
          const sx = (mirror ? w - 1 - x : x) + dx;
          if (sx < 0 || sx >= w) continue;
          const to = base + y * rowSize + x * c;
          const from = base + sy * rowSize + sx * c;
          for (let k = 0; k < c; k++) out[to + k] = src[from + k] as number;
        }
      }
    }
    return { images: tf.tensor4d(out, [b, h, w, c], 'float32'), labels };
  });
}
