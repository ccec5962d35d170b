import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { epochBatches, gatherBatch } from '../../src/data/batches.js';
import type { Dataset } from '../../src/data/dataset.js';

before(async () => {
  await initBackend({ quiet: true });
});

test('without replacement every index appears exactly once per epoch', () => {
  for (const [n, batchSize] of [
    [10, 3],
    [37, 8],
    [64, 64],
    [5, 10],
  ] as const) {
    for (let epoch = 0; epoch < 3; epoch++) {
      const batches = epochBatches(n, epoch, { batchSize, seed: 7 });
      assert.equal(batches.length, Math.ceil(n / batchSize));
      for (let b = 0; b < batches.length - 1; b++) assert.equal(batches[b]?.length, batchSize);
      assert.equal(batches.at(-1)?.length, n - batchSize * (batches.length - 1));
      const all = batches.flatMap((batch) => Array.from(batch)).sort((a, b) => a - b);
      assert.deepEqual(
        all,
        Array.from({ length: n }, (_, i) => i),
      );
    }
  }
});

test('dropLast drops the short batch, keeps distinct indices, and refuses batchSize > n', () => {
  const batches = epochBatches(37, 2, { batchSize: 8, seed: 1, dropLast: true });
  assert.equal(batches.length, 4);
  for (const batch of batches) assert.equal(batch.length, 8);
  const all = batches.flatMap((batch) => Array.from(batch));
  assert.equal(new Set(all).size, 32);
  // The kept batches are the first four of the same shuffle as without dropLast.
  assert.deepEqual(batches, epochBatches(37, 2, { batchSize: 8, seed: 1 }).slice(0, 4));
  const withReplacement = epochBatches(37, 0, { batchSize: 8, seed: 1, dropLast: true, replacement: true });
  assert.equal(withReplacement.length, 4);
  assert.throws(() => epochBatches(5, 0, { batchSize: 6, seed: 1, dropLast: true }), RangeError);
});

test('the order is a pure function of (n, epoch, options)', () => {
  const a = epochBatches(50, 3, { batchSize: 7, seed: 11 });
  assert.deepEqual(epochBatches(50, 3, { batchSize: 7, seed: 11 }), a);
  // Computing other epochs first does not change epoch 3 (no hidden state).
  epochBatches(50, 0, { batchSize: 7, seed: 11 });
  epochBatches(50, 9, { batchSize: 7, seed: 11 });
  assert.deepEqual(epochBatches(50, 3, { batchSize: 7, seed: 11 }), a);
  assert.notDeepEqual(epochBatches(50, 4, { batchSize: 7, seed: 11 }), a);
  assert.notDeepEqual(epochBatches(50, 3, { batchSize: 7, seed: 12 }), a);
  const r = epochBatches(50, 3, { batchSize: 7, seed: 11, replacement: true });
  assert.deepEqual(epochBatches(50, 3, { batchSize: 7, seed: 11, replacement: true }), r);
  assert.notDeepEqual(epochBatches(50, 2, { batchSize: 7, seed: 11, replacement: true }), r);
});

test('with replacement the index counts are multinomial (chi-square within its 1e-6 quantiles)', () => {
  const n = 50;
  const epochs = 200;
  const counts = new Float64Array(n);
  let epochsWithRepeats = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const batches = epochBatches(n, epoch, { batchSize: 10, seed: 5, replacement: true });
    assert.equal(batches.length, 5);
    const seen = new Set<number>();
    let total = 0;
    for (const batch of batches) {
      assert.equal(batch.length, 10);
      for (const k of batch) {
        assert.ok(k >= 0 && k < n);
        counts[k] = (counts[k] as number) + 1;
        seen.add(k);
        total++;
      }
    }
    if (seen.size < total) epochsWithRepeats++;
  }
  const expected = (epochs * n) / n;
  let chi2 = 0;
  for (const count of counts) chi2 += (count - expected) ** 2 / expected;
  // chi-square with 49 degrees of freedom: P(X < 17.5) ≈ P(X > 105) ≈ 1e-6. A low value would mean the
  // draws are stratified (e.g. a disguised permutation), a high one that they are not uniform.
  assert.ok(chi2 > 17.5 && chi2 < 105, `chi2 = ${chi2}`);
  // 50 uniform draws from 50 repeat some index with probability 1 − 50!/50⁵⁰ ≈ 1.
  assert.equal(epochsWithRepeats, epochs);
});

test('without replacement the shuffle is uniform (first element over many epochs)', () => {
  const n = 6;
  const epochs = 3000;
  const counts = new Float64Array(n);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const first = epochBatches(n, epoch, { batchSize: 2, seed: 3 })[0]?.[0] as number;
    counts[first] = (counts[first] as number) + 1;
  }
  const expected = epochs / n;
  let chi2 = 0;
  for (const count of counts) chi2 += (count - expected) ** 2 / expected;
  // chi-square with 5 degrees of freedom: P(X > 35.9) ≈ 1e-6.
  assert.ok(chi2 < 35.9, `chi2 = ${chi2}`);
});

test('bad arguments are RangeErrors naming the parameter', () => {
  assert.throws(() => epochBatches(0, 0, { batchSize: 1, seed: 0 }), /n must be a positive integer/);
  assert.throws(() => epochBatches(10, -1, { batchSize: 1, seed: 0 }), /epoch must be a non-negative/);
  assert.throws(() => epochBatches(10, 0, { batchSize: 2.5, seed: 0 }), /batchSize must be a positive/);
  assert.throws(() => epochBatches(10, 0, { batchSize: 2, seed: Number.NaN }), /seed must be finite/);
});

/** A data set of `n` h×w×c images whose pixel values are all distinct and non-zero. */
function distinctImages(n: number, h: number, w: number, c: number): { data: Dataset; values: Float32Array } {
  const values = new Float32Array(n * h * w * c);
  for (let i = 0; i < values.length; i++) values[i] = i + 1;
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 3) % 10);
  return {
    data: { images: tf.tensor4d(values, [n, h, w, c]), labels: tf.tensor1d(labels, 'int32'), numClasses: 10 },
    values,
  };
}

/** The reference augmentation: image shifted by (dy, dx) with zero fill, then optionally mirrored. */
function shifted(
  values: Float32Array,
  index: number,
  [h, w, c]: [number, number, number],
  dy: number,
  dx: number,
  mirror: boolean,
): number[] {
  const out: number[] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) {
        const sy = y + dy;
        const sx = (mirror ? w - 1 - x : x) + dx;
        out.push(
          sy >= 0 && sy < h && sx >= 0 && sx < w
            ? (values[((index * h + sy) * w + sx) * c + k] as number)
            : 0,
        );
      }
  return out;
}

test('gatherBatch without augmentation returns the rows and labels asked for', () => {
  const { data, values } = distinctImages(6, 3, 4, 2);
  const before = tf.memory().numTensors;
  const { images, labels } = gatherBatch(data, Int32Array.from([4, 0, 4]));
  assert.deepEqual(images.shape, [3, 3, 4, 2]);
  assert.equal(images.dtype, 'float32');
  assert.equal(labels.dtype, 'int32');
  assert.deepEqual(Array.from(labels.dataSync()), [2, 0, 2]);
  const got = images.dataSync();
  const size = 3 * 4 * 2;
  assert.deepEqual(Array.from(got.subarray(0, size)), Array.from(values.subarray(4 * size, 5 * size)));
  assert.deepEqual(Array.from(got.subarray(size, 2 * size)), Array.from(values.subarray(0, size)));
  images.dispose();
  labels.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => gatherBatch(data, Int32Array.from([6])), /indices\[0\] = 6 is outside/);
  tf.dispose([data.images, data.labels]);
});

test('padCrop gives exact shifted copies with zero fill, every shift reachable, and is seeded', () => {
  const shape: [number, number, number] = [5, 4, 2];
  const { data, values } = distinctImages(3, ...shape);
  const p = 2;
  const shiftsSeen = new Set<string>();
  const before = tf.memory().numTensors;
  for (let seed = 0; seed < 120; seed++) {
    const { images, labels } = gatherBatch(data, Int32Array.from([2, 1]), { padCrop: p, seed });
    assert.deepEqual(images.shape, [2, ...shape]);
    const got = images.dataSync();
    const size = shape[0] * shape[1] * shape[2];
    for (const [slot, index] of [
      [0, 2],
      [1, 1],
    ] as const) {
      const row = Array.from(got.subarray(slot * size, (slot + 1) * size));
      const matches: string[] = [];
      for (let dy = -p; dy <= p; dy++)
        for (let dx = -p; dx <= p; dx++)
          if (row.every((v, i) => v === shifted(values, index, shape, dy, dx, false)[i]))
            matches.push(`${dy},${dx}`);
      assert.equal(matches.length, 1, `seed ${seed} slot ${slot}: no exact shifted copy`);
      shiftsSeen.add(matches[0] as string);
    }
    if (seed === 0) {
      const again = gatherBatch(data, Int32Array.from([2, 1]), { padCrop: p, seed });
      assert.deepEqual(Array.from(again.images.dataSync()), Array.from(got));
      tf.dispose([again.images, again.labels]);
    }
    tf.dispose([images, labels]);
  }
  assert.equal(shiftsSeen.size, (2 * p + 1) ** 2);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([data.images, data.labels]);
});

test('flip mirrors exactly, about half the time; flip and crop compose', () => {
  const shape: [number, number, number] = [3, 5, 3];
  const { data, values } = distinctImages(1, ...shape);
  let mirrored = 0;
  const trials = 200;
  for (let seed = 0; seed < trials; seed++) {
    const { images, labels } = gatherBatch(data, Int32Array.from([0]), { flip: true, seed });
    const row = Array.from(images.dataSync());
    const plain = shifted(values, 0, shape, 0, 0, false);
    const flipped = shifted(values, 0, shape, 0, 0, true);
    if (row.every((v, i) => v === flipped[i])) mirrored++;
    else assert.deepEqual(row, plain);
    tf.dispose([images, labels]);
  }
  // Binomial(200, ½): 5 standard deviations ≈ 35.
  assert.ok(Math.abs(mirrored - trials / 2) < 36, `mirrored ${mirrored} of ${trials}`);

  let composedMirrors = 0;
  for (let seed = 0; seed < 40; seed++) {
    const { images, labels } = gatherBatch(data, Int32Array.from([0]), { flip: true, padCrop: 1, seed });
    const row = Array.from(images.dataSync());
    let found = 0;
    for (const mirror of [false, true])
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++)
          if (row.every((v, i) => v === shifted(values, 0, shape, dy, dx, mirror)[i])) {
            found++;
            if (mirror) composedMirrors++;
          }
    assert.equal(found, 1, `seed ${seed}`);
    tf.dispose([images, labels]);
  }
  assert.ok(composedMirrors > 0 && composedMirrors < 40);
  tf.dispose([data.images, data.labels]);
});
