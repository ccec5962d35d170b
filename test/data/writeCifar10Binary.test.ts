import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { loadCifar10 } from '../../src/data/loadCifar10.js';
import { writeCifar10Binary } from '../../src/data/writeCifar10Binary.js';
import { nearestMeanAccuracy } from './nearestMeanAccuracy.js';

let root: string;

before(async () => {
  await initBackend({ quiet: true });
  root = mkdtempSync(join(tmpdir(), 'sgd-factors-write-'));
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

test('writes the six files of the real layout with the returned labels, deterministically', () => {
  const dir = join(root, 'a');
  const written = writeCifar10Binary(dir, { recordsPerFile: 30, seed: 2 });
  assert.deepEqual(readdirSync(dir).sort(), [
    'batches.meta.txt',
    'data_batch_1.bin',
    'data_batch_2.bin',
    'data_batch_3.bin',
    'data_batch_4.bin',
    'data_batch_5.bin',
    'test_batch.bin',
  ]);
  assert.equal(readFileSync(join(dir, 'batches.meta.txt'), 'utf8').split('\n')[3], 'cat');
  assert.deepEqual(
    written.trainFiles,
    [1, 2, 3, 4, 5].map((i) => join(dir, `data_batch_${i}.bin`)),
  );
  const labelsInFiles: number[] = [];
  for (const path of written.trainFiles) {
    const bytes = readFileSync(path);
    assert.equal(bytes.length, 30 * 3073);
    const counts = new Array(10).fill(0);
    for (let r = 0; r < 30; r++) {
      labelsInFiles.push(bytes[r * 3073] as number);
      counts[bytes[r * 3073] as number]++;
    }
    assert.deepEqual(counts, new Array(10).fill(3));
  }
  assert.deepEqual(labelsInFiles, Array.from(written.trainLabels));
  const testBytes = readFileSync(written.testFile);
  assert.deepEqual(
    Array.from({ length: 30 }, (_, r) => testBytes[r * 3073]),
    Array.from(written.testLabels),
  );
  // The pixels use the byte range rather than sitting at a constant.
  const pixels = testBytes.subarray(1, 3073);
  assert.ok(Math.max(...pixels) - Math.min(...pixels) > 100);

  const again = writeCifar10Binary(join(root, 'b'), { recordsPerFile: 30, seed: 2 });
  const other = writeCifar10Binary(join(root, 'c'), { recordsPerFile: 30, seed: 3 });
  assert.deepEqual(
    readFileSync(again.trainFiles[2] as string),
    readFileSync(written.trainFiles[2] as string),
  );
  assert.notDeepEqual(
    readFileSync(other.trainFiles[2] as string),
    readFileSync(written.trainFiles[2] as string),
  );
});

test('the written data loads and is learnable (nearest class mean on the test file)', async () => {
  const dir = join(root, 'learn');
  writeCifar10Binary(dir, { recordsPerFile: 60, seed: 5, numClasses: 4 });
  const data = await loadCifar10({ dir, recordsPerFile: 60 });
  const labels = new Set(data.train.labels.dataSync());
  assert.deepEqual([...labels].sort(), [0, 1, 2, 3]);
  const accuracy = nearestMeanAccuracy({ ...data.train, numClasses: 4 }, { ...data.test, numClasses: 4 });
  assert.ok(accuracy > 0.9, `accuracy ${accuracy}`);
  tf.dispose([data.train.images, data.train.labels, data.test.images, data.test.labels]);
});

test('bad options are RangeErrors', () => {
  assert.throws(() => writeCifar10Binary(join(root, 'x'), { recordsPerFile: 0 }), /recordsPerFile must be/);
  assert.throws(
    () => writeCifar10Binary(join(root, 'x'), { numClasses: 11 }),
    /numClasses must be at most 10/,
  );
  assert.throws(() => writeCifar10Binary(join(root, 'x'), { noise: -2 }), /noise must be/);
});
