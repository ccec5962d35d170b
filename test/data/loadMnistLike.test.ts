import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { loadFashionMnist } from '../../src/data/fashionMnist.js';
import { FASHION_MNIST_FORMAT } from '../../src/data/fashionMnistFormat.js';
import type { MnistLikeData } from '../../src/data/loadMnistLike.js';
import { loadMnist } from '../../src/data/mnist.js';
import { type GeneratedSplit, idxBytes, writeMnistLikeDir } from './writeIdx.js';

const N = 30;
const T = 12;
let root: string;
let gz: string;
let plain: string;
let data: { train: GeneratedSplit; test: GeneratedSplit };

before(async () => {
  await initBackend({ quiet: true });
  root = mkdtempSync(join(tmpdir(), 'sgd-factors-mnist-'));
  gz = join(root, 'gz');
  plain = join(root, 'plain');
  data = writeMnistLikeDir(gz, { train: N, test: T, seed: 5, gzip: true });
  writeMnistLikeDir(plain, { train: N, test: T, seed: 5, gzip: false });
});
after(() => rmSync(root, { recursive: true, force: true }));

function disposeAll(d: MnistLikeData): void {
  tf.dispose([d.train, d.test, ...(d.validation ? [d.validation] : [])].flatMap((s) => [s.images, s.labels]));
}

/** Float64 per-pixel mean of the generated training bytes, in [0, 1] units. */
function referenceMean(pixels: Uint8Array): Float64Array {
  const mean = new Float64Array(784);
  for (let i = 0; i < pixels.length; i++) mean[i % 784] = (mean[i % 784] as number) + (pixels[i] as number);
  return mean.map((s) => s / (255 * (pixels.length / 784)));
}

function assertImages(got: Float32Array, bytes: Uint8Array, mean: Float64Array | undefined): void {
  assert.equal(got.length, bytes.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const want = (bytes[i] as number) / 255 - (mean ? (mean[i % 784] as number) : 0);
    worst = Math.max(worst, Math.abs((got[i] as number) - want));
  }
  // float32 rounding of values in [-1, 1]: half an ulp at 1 is 6e-8.
  assert.ok(worst < 2e-7, `largest difference ${worst}`);
}

test('gzipped and plain directories load to the same scaled tensors, shapes and labels', async () => {
  const before = tf.memory().numTensors;
  for (const dir of [gz, plain]) {
    const d = await loadFashionMnist({ dir, preprocess: 'scale' });
    assert.deepEqual(d.train.images.shape, [N, 28, 28, 1]);
    assert.deepEqual(d.test.images.shape, [T, 28, 28, 1]);
    assert.equal(d.train.images.dtype, 'float32');
    assert.equal(d.train.labels.dtype, 'int32');
    assert.equal(d.train.numClasses, 10);
    assertImages(d.train.images.dataSync() as Float32Array, data.train.pixels, undefined);
    assertImages(d.test.images.dataSync() as Float32Array, data.test.pixels, undefined);
    assert.deepEqual([...d.train.labels.dataSync()], [...data.train.labels]);
    assert.deepEqual([...d.test.labels.dataSync()], [...data.test.labels]);
    assert.equal(d.pixelMean, undefined);
    assert.equal(d.dir, dir);
    assert.deepEqual(d.classNames, FASHION_MNIST_FORMAT.classNames);
    disposeAll(d);
  }
  assert.equal(tf.memory().numTensors, before);
});

test('pixelMean: the full training mean is subtracted, whatever limit and validationSplit; passing it back reproduces', async () => {
  const mean = referenceMean(data.train.pixels);
  const full = await loadMnist({ dir: gz });
  assert.equal(full.preprocess, 'pixelMean');
  const pm = full.pixelMean as Float32Array;
  assert.equal(pm.length, 784);
  for (let i = 0; i < 784; i++) assert.ok(Math.abs((pm[i] as number) - (mean[i] as number)) < 1e-7);
  assertImages(full.train.images.dataSync() as Float32Array, data.train.pixels, mean);
  assertImages(full.test.images.dataSync() as Float32Array, data.test.pixels, mean);
  assert.deepEqual(full.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

  const part = await loadMnist({ dir: gz, limit: 20, testLimit: 5, validationSplit: 0.25 });
  assert.deepEqual(part.pixelMean, full.pixelMean);
  assert.deepEqual(part.train.images.shape, [15, 28, 28, 1]);
  assert.deepEqual(part.validation?.images.shape, [5, 28, 28, 1]);
  assert.deepEqual(part.test.images.shape, [5, 28, 28, 1]);
  assertImages(part.train.images.dataSync() as Float32Array, data.train.pixels.subarray(0, 15 * 784), mean);
  assertImages(
    part.validation?.images.dataSync() as Float32Array,
    data.train.pixels.subarray(15 * 784, 20 * 784),
    mean,
  );
  assert.deepEqual([...(part.validation?.labels.dataSync() ?? [])], [...data.train.labels.subarray(15, 20)]);
  assert.deepEqual([...part.test.labels.dataSync()], [...data.test.labels.subarray(0, 5)]);

  const given = new Float32Array(784).fill(0.5);
  const shifted = await loadMnist({ dir: plain, pixelMean: given, limit: 3 });
  assert.deepEqual(shifted.pixelMean, given);
  assertImages(
    shifted.train.images.dataSync() as Float32Array,
    data.train.pixels.subarray(0, 3 * 784),
    new Float64Array(784).fill(0.5),
  );
  for (const d of [full, part, shifted]) disposeAll(d);
});

test('a directory with both forms reads the plain file', async () => {
  const both = join(root, 'both');
  mkdirSync(both);
  for (const name of [
    'train-images-idx3-ubyte',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
    't10k-labels-idx1-ubyte',
  ]) {
    copyFileSync(join(plain, name), join(both, name));
    // A .gz that would fail if it were read.
    writeFileSync(join(both, `${name}.gz`), Buffer.from([0x1f, 0x8b, 0, 0]));
  }
  const d = await loadFashionMnist({ dir: both, preprocess: 'scale', limit: 2 });
  assert.deepEqual([...d.train.labels.dataSync()], [...data.train.labels.subarray(0, 2)]);
  disposeAll(d);
});

/** A copy of the plain directory with one file replaced by `bytes`. */
function variant(name: string, file: string, bytes: Uint8Array): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const f of [
    'train-images-idx3-ubyte',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
    't10k-labels-idx1-ubyte',
  ])
    if (f !== file) copyFileSync(join(plain, f), join(dir, f));
  writeFileSync(join(dir, file), bytes);
  return dir;
}

test('bad files are errors naming the file, and nothing leaks', async () => {
  const before = tf.memory().numTensors;
  const badLabels = Uint8Array.from(data.test.labels);
  badLabels[7] = 10;
  const cases: [string, string, Uint8Array, RegExp][] = [
    [
      'label10',
      't10k-labels-idx1-ubyte',
      idxBytes([T], badLabels),
      /loadFashionMnist: \S+label10\/t10k-labels-idx1-ubyte label 7 \(byte 15\) is 10, expected 0–9/,
    ],
    [
      'fewer',
      'train-labels-idx1-ubyte',
      idxBytes([N - 1], data.train.labels.subarray(1)),
      /loadFashionMnist: \S+fewer\/train-images-idx3-ubyte holds 30 images but \S+fewer\/train-labels-idx1-ubyte holds 29 labels/,
    ],
    [
      'side',
      'train-images-idx3-ubyte',
      idxBytes([N, 27, 28], new Uint8Array(N * 27 * 28)),
      /loadFashionMnist: \S+side\/train-images-idx3-ubyte holds 27×28 images, expected 28×28/,
    ],
    [
      'swapped',
      't10k-images-idx3-ubyte',
      idxBytes([T], data.test.labels),
      /loadFashionMnist: IDX file \S+swapped\/t10k-images-idx3-ubyte has magic number 0x00000801 \(1 dimensions\), expected 0x00000803/,
    ],
    [
      'cut',
      'train-images-idx3-ubyte',
      idxBytes([N, 28, 28], data.train.pixels).subarray(0, 5000),
      /loadFashionMnist: IDX file \S+cut\/train-images-idx3-ubyte is truncated: dimensions \[30, 28, 28\] need 23520 payload bytes, found 4984/,
    ],
    [
      'empty',
      'train-images-idx3-ubyte',
      idxBytes([0, 28, 28], new Uint8Array(0)),
      /loadFashionMnist: \S+empty\/train-images-idx3-ubyte holds no images/,
    ],
  ];
  for (const [name, file, bytes, message] of cases)
    await assert.rejects(loadFashionMnist({ dir: variant(name, file, bytes) }), message, name);
  const missing = join(root, 'missing');
  mkdirSync(missing);
  await assert.rejects(
    loadFashionMnist({ dir: missing }),
    /loadFashionMnist: missing file \S+missing\/train-images-idx3-ubyte\(\.gz\)/,
  );
  await assert.rejects(loadMnist({ dir: join(root, 'nope') }), /loadMnist: directory \S+nope does not exist/);
  await assert.rejects(
    loadMnist({ dir: join(plain, 't10k-labels-idx1-ubyte') }),
    /loadMnist: \S+ is not a directory/,
  );
  assert.equal(tf.memory().numTensors, before);
});

test('bad options are RangeErrors naming the option', async () => {
  const cases: [Parameters<typeof loadMnist>[0], RegExp][] = [
    [{ dir: gz, download: true }, /loadMnist: give either dir .* or download/],
    [{ dir: gz, preprocess: 'center' as 'scale' }, /preprocess must be 'pixelMean' or 'scale', got 'center'/],
    [
      { dir: gz, preprocess: 'scale', pixelMean: new Float32Array(784) },
      /pixelMean was given but preprocess is 'scale'/,
    ],
    [{ dir: gz, pixelMean: new Float32Array(3072) }, /pixelMean must have 784 values, got 3072/],
    [{ dir: gz, limit: N + 1 }, /limit must be a whole number in \[1, 30\], got 31/],
    [{ dir: gz, testLimit: 0 }, /testLimit must be a whole number in \[1, 12\], got 0/],
    [{ dir: gz, limit: 2.5 }, /limit must be a whole number in \[1, 30\], got 2\.5/],
    [
      { dir: gz, validationSplit: 1.5 },
      /validationSplit must be a fraction in \(0, 1\) or a whole number ≥ 1, got 1\.5/,
    ],
    [{ dir: gz, limit: 4, validationSplit: 4 }, /validationSplit 4 leaves 0 of 4 training records/],
  ];
  for (const [options, message] of cases)
    await assert.rejects(
      loadMnist(options),
      (e: Error) => e instanceof RangeError && message.test(e.message),
      String(message),
    );
  await assert.rejects(
    loadFashionMnist({ cacheDir: join(root, 'empty-cache') }),
    /loadFashionMnist: Fashion-MNIST is not in the cache \S+empty-cache; pass download: true to fetch it \(31 MB\) or dir: a directory holding the IDX files/,
  );
});
