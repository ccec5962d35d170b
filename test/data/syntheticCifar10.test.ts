import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { epochBatches, gatherBatch } from '../../src/data/batches.js';
import type { SplitDataset } from '../../src/data/dataset.js';
import { syntheticCifar10 } from '../../src/data/syntheticCifar10.js';
import { nearestMeanAccuracy } from './nearestMeanAccuracy.js';

before(async () => {
  await initBackend({ quiet: true });
});

function disposeSplit(d: SplitDataset): void {
  tf.dispose([d.train, d.test, ...(d.validation ? [d.validation] : [])].flatMap((s) => [s.images, s.labels]));
}

test('shapes, dtypes, balanced labels, optional validation, seeded', () => {
  const before = tf.memory().numTensors;
  const d = syntheticCifar10({ n: 103, seed: 4, validationN: 7 });
  assert.deepEqual(d.train.images.shape, [103, 32, 32, 3]);
  assert.equal(d.train.images.dtype, 'float32');
  assert.equal(d.train.labels.dtype, 'int32');
  assert.deepEqual(d.test.images.shape, [21, 32, 32, 3]);
  assert.deepEqual(d.validation?.images.shape, [7, 32, 32, 3]);
  assert.equal(d.train.numClasses, 10);
  const counts = new Array(10).fill(0);
  for (const label of d.train.labels.dataSync()) counts[label]++;
  assert.deepEqual(counts, [11, 11, 11, 10, 10, 10, 10, 10, 10, 10]);
  assert.equal(tf.memory().numTensors, before + 6);

  const same = syntheticCifar10({ n: 103, seed: 4, validationN: 7 });
  assert.deepEqual(same.train.images.dataSync(), d.train.images.dataSync());
  assert.deepEqual(same.test.labels.dataSync(), d.test.labels.dataSync());
  const other = syntheticCifar10({ n: 103, seed: 5 });
  assert.notDeepEqual(other.train.images.dataSync(), d.train.images.dataSync());
  assert.equal(other.validation, undefined);
  const small = syntheticCifar10({
    n: 8,
    testN: 3,
    seed: 1,
    numClasses: 4,
    height: 8,
    width: 6,
    channels: 1,
  });
  assert.deepEqual(small.train.images.shape, [8, 8, 6, 1]);
  assert.deepEqual(small.test.images.shape, [3, 8, 6, 1]);
  assert.equal(small.train.numClasses, 4);
  for (const split of [d, same, other, small]) disposeSplit(split);
  assert.equal(tf.memory().numTensors, before);
});

test('learnable at the default noise, near chance when the noise is overwhelming', () => {
  const easy = syntheticCifar10({ n: 300, testN: 200, seed: 2 });
  const accEasy = nearestMeanAccuracy(easy.train, easy.test);
  assert.ok(accEasy > 0.95, `default noise: nearest-mean accuracy ${accEasy}`);
  disposeSplit(easy);
  const hard = syntheticCifar10({ n: 300, testN: 200, seed: 2, noise: 200 });
  const accHard = nearestMeanAccuracy(hard.train, hard.test);
  // Chance is 0.1; the standard error of 200 test draws is about 0.02.
  assert.ok(accHard < 0.25, `noise 200: nearest-mean accuracy ${accHard}`);
  disposeSplit(hard);
});

test('noise has the stated standard deviation and is Gaussian; without noise a class is one direction', () => {
  const d = 32 * 32 * 3;
  // Without noise or shift, every image of a class is a positive multiple of its template.
  const clean = syntheticCifar10({ n: 40, testN: 1, seed: 8, noise: 0, maxShift: 0 });
  const x0 = clean.train.images.dataSync();
  const y0 = clean.train.labels.dataSync();
  const firstOf = new Map<number, number>();
  for (let i = 0; i < 40; i++) {
    const label = y0[i] as number;
    const j = firstOf.get(label);
    if (j === undefined) {
      firstOf.set(label, i);
      continue;
    }
    let dot = 0;
    let ni = 0;
    let nj = 0;
    for (let p = 0; p < d; p++) {
      const a = x0[i * d + p] as number;
      const b = x0[j * d + p] as number;
      dot += a * b;
      ni += a * a;
      nj += b * b;
    }
    assert.ok(Math.abs(dot / Math.sqrt(ni * nj) - 1) < 1e-5);
    // Template unit variance times contrast (0.25 · [0.75, 1.25]) squared.
    const rms = Math.sqrt(ni / d);
    assert.ok(rms > 0.25 * 0.75 - 1e-3 && rms < 0.25 * 1.25 + 1e-3, `rms ${rms}`);
  }
  disposeSplit(clean);

  // With noise σ and no shift, x_i = c_i·t + ε_i. Projecting out the estimated class-mean direction
  // m̂ ∝ c̄·t + ε̄ leaves r_i ≈ ε_i − (c_i/c̄)·ε̄⊥, whose squared norm is D·s²·(1 − 2/n + 1/n) with n the
  // examples per class and s = 0.25σ: so the residual per-pixel variance is s²(1 − 1/n). Its relative
  // standard error over 1.5 million pixels is ≈ 0.1%; the kurtosis of Gaussian noise is 3 (s.e. ≈ 0.004).
  const sigma = 0.3;
  const perClass = 50;
  const noisy = syntheticCifar10({ n: 10 * perClass, testN: 1, seed: 9, noise: sigma, maxShift: 0 });
  const x = noisy.train.images.dataSync();
  const y = noisy.train.labels.dataSync();
  const mean = new Float64Array(10 * d);
  for (let i = 0; i < 10 * perClass; i++)
    for (let p = 0; p < d; p++)
      mean[(y[i] as number) * d + p] = (mean[(y[i] as number) * d + p] as number) + (x[i * d + p] as number);
  for (let k = 0; k < 10; k++) {
    let norm = 0;
    for (let p = 0; p < d; p++) norm += (mean[k * d + p] as number) ** 2;
    norm = Math.sqrt(norm);
    for (let p = 0; p < d; p++) mean[k * d + p] = (mean[k * d + p] as number) / norm;
  }
  let m2 = 0;
  let m4 = 0;
  let count = 0;
  for (let i = 0; i < 10 * perClass; i++) {
    const k = y[i] as number;
    let proj = 0;
    for (let p = 0; p < d; p++) proj += (x[i * d + p] as number) * (mean[k * d + p] as number);
    for (let p = 0; p < d; p++) {
      const r = (x[i * d + p] as number) - proj * (mean[k * d + p] as number);
      m2 += r * r;
      m4 += r ** 4;
      count++;
    }
  }
  m2 /= count;
  m4 /= count;
  const expected = (0.25 * sigma) ** 2 * (1 - 1 / perClass);
  assert.ok(Math.abs(m2 / expected - 1) < 0.01, `residual variance ${m2}, expected ${expected}`);
  assert.ok(Math.abs(m4 / (m2 * m2) - 3) < 0.05, `kurtosis ${m4 / (m2 * m2)}`);
  disposeSplit(noisy);
});

test('bad options are RangeErrors naming the option', () => {
  assert.throws(() => syntheticCifar10({ n: 0, seed: 1 }), /n must be a positive integer/);
  assert.throws(() => syntheticCifar10({ n: 5, seed: 1, testN: 0 }), /testN must be a positive integer/);
  assert.throws(() => syntheticCifar10({ n: 5, seed: 1, validationN: -1 }), /validationN must be/);
  assert.throws(() => syntheticCifar10({ n: 5, seed: 1, numClasses: 1 }), /numClasses must be at least 2/);
  assert.throws(() => syntheticCifar10({ n: 5, seed: 1, noise: -1 }), /noise must be/);
  assert.throws(() => syntheticCifar10({ n: 5, seed: 1, maxShift: 0.5 }), /maxShift must be/);
  assert.throws(() => syntheticCifar10({ n: 5, seed: Number.NaN }), /seed must be finite/);
});

test('a small conv net with global pooling learns it in a few epochs of SGD', async () => {
  const tfl = await import('@tensorflow/tfjs-layers');
  const n = 400;
  const data = syntheticCifar10({ n, testN: 200, seed: 11 });
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [32, 32, 3],
        filters: 8,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tfl.layers.conv2d({
        filters: 16,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(2),
      }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 10, kernelInitializer: init(3) }),
    ],
  });
  const optimizer = tf.train.momentum(0.05, 0.9);
  for (let epoch = 0; epoch < 4; epoch++)
    for (const indices of epochBatches(n, epoch, { batchSize: 32, seed: 1 })) {
      const { images, labels } = gatherBatch(data.train, indices);
      optimizer.minimize(() =>
        tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), model.apply(images) as tf.Tensor2D),
      );
      tf.dispose([images, labels]);
    }
  const accuracy = tf.tidy(
    () =>
      tf
        .mean(
          tf.cast(
            tf.equal(tf.argMax(model.predict(data.test.images) as tf.Tensor2D, -1), data.test.labels),
            'float32',
          ),
        )
        .dataSync()[0] as number,
  );
  // Chance is 0.1 (s.e. ≈ 0.02 on 200 test images); measured ≈ 1.0 at the default noise.
  assert.ok(accuracy > 0.6, `test accuracy ${accuracy}`);
  model.dispose();
  optimizer.dispose();
  disposeSplit(data);
});
