import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { loadCifar10 } from '../../src/data/loadCifar10.js';
import { writeCifar10Binary } from '../../src/data/writeCifar10Binary.js';

const R = 20; // records per generated file
const PIXELS = 3072;
let root: string;
let dir: string;

before(async () => {
  await initBackend({ quiet: true });
  root = mkdtempSync(join(tmpdir(), 'sgd-factors-cifar-'));
  dir = join(root, 'cifar-10-batches-bin');
  writeCifar10Binary(dir, { recordsPerFile: R, seed: 3 });
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Independent reading of the generated files: per record, the label and the HWC pixel bytes. */
function referenceRecords(from: string, files: string[]): { labels: number[]; pixels: Uint8Array[] } {
  const labels: number[] = [];
  const pixels: Uint8Array[] = [];
  for (const name of files) {
    const bytes = readFileSync(join(from, name));
    assert.equal(bytes.length, R * 3073);
    for (let r = 0; r < R; r++) {
      const rec = bytes.subarray(r * 3073, (r + 1) * 3073);
      labels.push(rec[0] as number);
      const hwc = new Uint8Array(PIXELS);
      for (let ch = 0; ch < 3; ch++)
        for (let y = 0; y < 32; y++)
          for (let x = 0; x < 32; x++) hwc[(y * 32 + x) * 3 + ch] = rec[1 + ch * 1024 + y * 32 + x] as number;
      pixels.push(hwc);
    }
  }
  return { labels, pixels };
}

const TRAIN = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);

function trainMean(ref: { pixels: Uint8Array[] }): Float64Array {
  const mean = new Float64Array(PIXELS);
  for (const p of ref.pixels)
    for (let i = 0; i < PIXELS; i++) mean[i] = (mean[i] as number) + (p[i] as number) / 255;
  for (let i = 0; i < PIXELS; i++) mean[i] = (mean[i] as number) / ref.pixels.length;
  return mean;
}

function assertImages(
  images: tf.Tensor,
  expected: Uint8Array[],
  mean: Float64Array | undefined,
  what: string,
): void {
  assert.deepEqual(images.shape, [expected.length, 32, 32, 3], what);
  assert.equal(images.dtype, 'float32');
  const got = images.dataSync();
  let worst = 0;
  for (let k = 0; k < expected.length; k++)
    for (let i = 0; i < PIXELS; i++) {
      const truth = ((expected[k] as Uint8Array)[i] as number) / 255 - (mean ? (mean[i] as number) : 0);
      worst = Math.max(worst, Math.abs((got[k * PIXELS + i] as number) - truth));
    }
  // float32 rounding of values below 1 in magnitude: a few ulps of 2⁻²⁴.
  assert.ok(worst < 3e-7, `${what}: max error ${worst}`);
}

function disposeAll(d: {
  train: { images: tf.Tensor; labels: tf.Tensor };
  test: { images: tf.Tensor; labels: tf.Tensor };
}): void {
  const v = (d as { validation?: { images: tf.Tensor; labels: tf.Tensor } }).validation;
  tf.dispose([
    d.train.images,
    d.train.labels,
    d.test.images,
    d.test.labels,
    ...(v ? [v.images, v.labels] : []),
  ]);
}

test("preprocess 'scale' gives the CHW bytes as NHWC floats in [0, 1], files in order", async () => {
  const before = tf.memory().numTensors;
  const data = await loadCifar10({ dir, recordsPerFile: R, preprocess: 'scale' });
  assert.equal(tf.memory().numTensors, before + 4);
  const train = referenceRecords(dir, TRAIN);
  const testRef = referenceRecords(dir, ['test_batch.bin']);
  assert.equal(data.train.numClasses, 10);
  assert.equal(data.pixelMean, undefined);
  assert.equal(data.validation, undefined);
  assert.equal(data.train.labels.dtype, 'int32');
  assert.deepEqual(Array.from(data.train.labels.dataSync()), train.labels);
  assert.deepEqual(Array.from(data.test.labels.dataSync()), testRef.labels);
  assertImages(data.train.images, train.pixels, undefined, 'train');
  assertImages(data.test.images, testRef.pixels, undefined, 'test');
  disposeAll(data);
  assert.equal(tf.memory().numTensors, before);
});

test("preprocess 'pixelMean' (default) subtracts the full training mean, also under limit and validation", async () => {
  const train = referenceRecords(dir, TRAIN);
  const testRef = referenceRecords(dir, ['test_batch.bin']);
  const mean = trainMean(train);

  const full = await loadCifar10({ dir: root, recordsPerFile: R });
  assert.equal(full.preprocess, 'pixelMean');
  assert.equal(full.dir, dir);
  const pm = full.pixelMean as Float32Array;
  assert.equal(pm.length, PIXELS);
  for (let i = 0; i < PIXELS; i++) assert.ok(Math.abs((pm[i] as number) - (mean[i] as number)) < 1e-7);
  assertImages(full.train.images, train.pixels, mean, 'train');
  assertImages(full.test.images, testRef.pixels, mean, 'test');
  disposeAll(full);

  // limit 30 and a 20% validation split: 24 train, 6 validation (records 24…29), same full-set mean.
  const sub = await loadCifar10({ dir, recordsPerFile: R, limit: 30, validationSplit: 0.2, testLimit: 7 });
  assert.ok(sub.validation);
  assertImages(sub.train.images, train.pixels.slice(0, 24), mean, 'limited train');
  assertImages(sub.validation.images, train.pixels.slice(24, 30), mean, 'validation');
  assert.deepEqual(Array.from(sub.validation.labels.dataSync()), train.labels.slice(24, 30));
  assertImages(sub.test.images, testRef.pixels.slice(0, 7), mean, 'limited test');
  assert.deepEqual(sub.pixelMean, pm);
  disposeAll(sub);

  // A count split, and a mean passed back in (no recomputation, identical preprocessing).
  const given = Float32Array.from(pm, (v, i) => (i === 0 ? v + 0.5 : v));
  const counted = await loadCifar10({ dir, recordsPerFile: R, validationSplit: 10, pixelMean: given });
  assert.equal(counted.train.images.shape[0], 90);
  assert.equal(counted.validation?.images.shape[0], 10);
  const first = counted.train.images.dataSync();
  assert.ok(
    Math.abs((first[0] as number) - ((train.pixels[0]?.[0] as number) / 255 - (given[0] as number))) < 3e-7,
  );
  assert.ok(
    Math.abs((first[1] as number) - ((train.pixels[0]?.[1] as number) / 255 - (mean[1] as number))) < 3e-7,
  );
  disposeAll(counted);
});

test('bad options are RangeErrors naming the option', async () => {
  await assert.rejects(
    loadCifar10({ dir, recordsPerFile: R, limit: 101 }),
    /limit must be a whole number in \[1, 100\]/,
  );
  await assert.rejects(
    loadCifar10({ dir, recordsPerFile: R, validationSplit: 1.5 }),
    /validationSplit must be/,
  );
  await assert.rejects(
    loadCifar10({ dir, recordsPerFile: R, limit: 5, validationSplit: 5 }),
    /both must be ≥ 1/,
  );
  await assert.rejects(
    loadCifar10({ dir, recordsPerFile: R, preprocess: 'scale', pixelMean: new Float32Array(PIXELS) }),
    /pixelMean was given/,
  );
  await assert.rejects(loadCifar10({ dir, download: true }), /either dir .* or download/);
});

test('bad input: missing directory or file, wrong size, bad label byte, each naming the file', async () => {
  const bad = mkdtempSync(join(tmpdir(), 'sgd-factors-cifar-bad-'));
  try {
    await assert.rejects(loadCifar10({ dir: join(bad, 'nope') }), /directory .*nope does not exist/);
    writeCifar10Binary(bad, { recordsPerFile: 2, seed: 1 });
    // The default record count expects the real 30,730,000-byte files.
    await assert.rejects(loadCifar10({ dir: bad }), /data_batch_1\.bin has 6146 bytes, expected 30730000/);
    rmSync(join(bad, 'test_batch.bin'));
    await assert.rejects(loadCifar10({ dir: bad, recordsPerFile: 2 }), /missing file .*test_batch\.bin/);
    writeCifar10Binary(bad, { recordsPerFile: 2, seed: 1 });
    truncateSync(join(bad, 'data_batch_3.bin'), 6000);
    await assert.rejects(
      loadCifar10({ dir: bad, recordsPerFile: 2 }),
      /data_batch_3\.bin has 6000 bytes, expected 6146/,
    );
    writeCifar10Binary(bad, { recordsPerFile: 2, seed: 1 });
    const path = join(bad, 'data_batch_4.bin');
    const bytes = readFileSync(path);
    bytes[3073] = 10; // label of record 1
    writeFileSync(path, bytes);
    const before = tf.memory().numTensors;
    // Labels of every record are checked, even those beyond the limit (the mean reads them all).
    await assert.rejects(
      loadCifar10({ dir: bad, recordsPerFile: 2, limit: 1 }),
      /data_batch_4\.bin record 1 .*has label 10, expected 0–9/,
    );
    assert.equal(tf.memory().numTensors, before);
    mkdirSync(join(bad, 'cache'));
    await assert.rejects(
      loadCifar10({ cacheDir: join(bad, 'cache') }),
      /not in the cache .*pass download: true/,
    );
  } finally {
    rmSync(bad, { recursive: true, force: true });
  }
});
