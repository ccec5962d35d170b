import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { loadFashionMnist } from '../../src/data/fashionMnist.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdxFile } from '../../src/data/idx.js';

/**
 * The real Fashion-MNIST files as Debian's `dataset-fashion-mnist` installs them (`.ci/run` installs the
 * package). The expected figures below were computed once, independently of this library, with numpy
 * 2.4.6 (gzip + struct header parsing, float64 arithmetic):
 *
 *   python3 -c "import gzip,struct,numpy as np; d='/usr/share/datasets/fashion-mnist/'; \
 *     b=gzip.open(d+'train-images-idx3-ubyte.gz').read(); x=np.frombuffer(b,np.uint8,offset=16) \
 *     .reshape(60000,28,28).astype(np.float64); pm=x.mean(axis=0)/255; \
 *     print(x.mean(), x.std(), x[0].mean(), x[0].std(), x[0].sum(), pm.min(), pm.max(), pm[0,0], pm[14,14], pm.sum())"
 *
 * giving 72.9403522321, 90.0211823513 (all training pixels, population std), 97.2538265306,
 * 101.7923462032, 76247 (the first image), and per-pixel means (in [0, 1] units) min 0.0000031373,
 * max 0.6348093464, [0,0] 0.0000031373, [14,14] 0.5457262745, sum 224.2558280392. `np.bincount` of the
 * labels gives 6,000 per class in train and 1,000 in test; the first ten training labels are
 * 9 0 0 3 0 2 7 2 5 5, the first ten test labels 9 2 1 1 6 1 4 6 5 7. (The mean 0.2860 and std 0.3530
 * in [0, 1] units are the figures commonly quoted for Fashion-MNIST.)
 */
const DIR = '/usr/share/datasets/fashion-mnist';
const skip = existsSync(DIR)
  ? false
  : `${DIR} is absent: install Debian's dataset-fashion-mnist (apt-get install -y dataset-fashion-mnist)`;

before(async () => {
  await initBackend({ quiet: true });
});

/** Mean and population standard deviation, in float64, of the bytes. */
function moments(bytes: Uint8Array): { mean: number; std: number; sum: number } {
  let sum = 0;
  let squares = 0;
  for (const b of bytes) {
    sum += b;
    squares += b * b;
  }
  const mean = sum / bytes.length;
  return { mean, std: Math.sqrt(squares / bytes.length - mean * mean), sum };
}

function counts(labels: ArrayLike<number>): number[] {
  const out = new Array<number>(10).fill(0);
  for (let i = 0; i < labels.length; i++) out[labels[i] as number] = (out[labels[i] as number] as number) + 1;
  return out;
}

test('the raw files: headers, class balance, pixel statistics', { skip }, () => {
  const trainImages = readIdxFile(join(DIR, 'train-images-idx3-ubyte.gz'), IDX_IMAGES_MAGIC);
  const testImages = readIdxFile(join(DIR, 't10k-images-idx3-ubyte.gz'), IDX_IMAGES_MAGIC);
  const trainLabels = readIdxFile(join(DIR, 'train-labels-idx1-ubyte.gz'), IDX_LABELS_MAGIC);
  const testLabels = readIdxFile(join(DIR, 't10k-labels-idx1-ubyte.gz'), IDX_LABELS_MAGIC);
  assert.deepEqual(trainImages.dims, [60_000, 28, 28]);
  assert.deepEqual(testImages.dims, [10_000, 28, 28]);
  assert.deepEqual(trainLabels.dims, [60_000]);
  assert.deepEqual(testLabels.dims, [10_000]);
  assert.deepEqual(counts(trainLabels.data), new Array(10).fill(6_000));
  assert.deepEqual(counts(testLabels.data), new Array(10).fill(1_000));
  assert.deepEqual([...trainLabels.data.subarray(0, 10)], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
  assert.deepEqual([...testLabels.data.subarray(0, 10)], [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
  // Exact integer sums in float64; the stated figures have 10 decimals, so 1e-9 absolute suffices.
  const all = moments(trainImages.data);
  assert.ok(Math.abs(all.mean - 72.9403522321) < 1e-9, `mean ${all.mean}`);
  assert.ok(Math.abs(all.std - 90.0211823513) < 1e-9, `std ${all.std}`);
  const first = moments(trainImages.data.subarray(0, 784));
  assert.equal(first.sum, 76_247);
  assert.ok(Math.abs(first.mean - 97.2538265306) < 1e-9, `first mean ${first.mean}`);
  assert.ok(Math.abs(first.std - 101.7923462032) < 1e-9, `first std ${first.std}`);
});

test('loadFashionMnist on the real files: shapes, labels, the full-training pixel mean', {
  skip,
}, async () => {
  const before = tf.memory().numTensors;
  const data = await loadFashionMnist({ dir: DIR });
  try {
    assert.deepEqual(data.train.images.shape, [60_000, 28, 28, 1]);
    assert.deepEqual(data.test.images.shape, [10_000, 28, 28, 1]);
    assert.deepEqual(counts(data.train.labels.dataSync()), new Array(10).fill(6_000));
    assert.deepEqual(counts(data.test.labels.dataSync()), new Array(10).fill(1_000));
    assert.equal(data.classNames[9], 'Ankle boot');
    const pm = data.pixelMean as Float32Array;
    // float32 storage of values ≤ 1: relative 6e-8; the figures are given to 1e-10.
    const close = (got: number, want: number, what: string): void =>
      assert.ok(Math.abs(got - want) < 1e-7, `${what}: ${got}, expected ${want}`);
    close(Math.min(...pm), 0.0000031373, 'min');
    close(Math.max(...pm), 0.6348093464, 'max');
    close(pm[0] as number, 0.0000031373, '[0,0]');
    close(pm[14 * 28 + 14] as number, 0.5457262745, '[14,14]');
    assert.ok(Math.abs(pm.reduce((a, b) => a + b, 0) - 224.2558280392) < 1e-5, 'sum');
    // After subtracting the training mean, the training images average zero (float32 sums of 47M terms).
    const centred = tf.tidy(() => tf.mean(data.train.images).dataSync()[0] as number);
    assert.ok(Math.abs(centred) < 1e-5, `centred mean ${centred}`);
  } finally {
    tf.dispose([data.train, data.test].flatMap((d) => [d.images, d.labels]));
  }
  const scaled = await loadFashionMnist({ dir: DIR, preprocess: 'scale', limit: 1, testLimit: 1 });
  const first = scaled.train.images.dataSync() as Float32Array;
  const sum = first.reduce((a: number, b: number) => a + b, 0);
  assert.ok(Math.abs(sum - 76_247 / 255) < 1e-3, `first image sum ${sum}`);
  tf.dispose([scaled.train, scaled.test].flatMap((d) => [d.images, d.labels]));
  assert.equal(tf.memory().numTensors, before);
});
