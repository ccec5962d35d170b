import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { createRng } from '../../src/util/random.js';

type Case = {
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  indices: number[][] | number[];
  axis: number;
};

function valuesFor(c: Case, seed: number): number[] {
  const rng = createRng(seed);
  const size = c.shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: size }, () =>
    c.dtype === 'float32' ? rng.normal() : c.dtype === 'int32' ? rng.int(1000) - 500 : rng.int(2),
  );
}

async function gatherOn(backend: 'cpu' | 'wasm', c: Case, values: number[]) {
  await initBackend({ backend, quiet: true });
  const before = tf.memory().numTensors;
  const x = tf.tensor(values, c.shape, c.dtype);
  const idx = tf.tensor(c.indices, undefined, 'int32');
  const out = tf.gather(x, idx, c.axis);
  const result = { shape: out.shape, values: Array.from(out.dataSync()), dtype: out.dtype };
  tf.dispose([x, idx, out]);
  assert.equal(tf.memory().numTensors, before);
  return result;
}

test('wasm GatherV2 equals the cpu kernel exactly: axes, dtypes, repeated and 2-D indices, short and long slices', async () => {
  const cases: Case[] = [
    { shape: [10, 4, 4, 3], dtype: 'float32', indices: [3, 0, 9, 3, 7], axis: 0 },
    { shape: [6, 5], dtype: 'int32', indices: [5, 5, 0], axis: 0 },
    { shape: [6, 5], dtype: 'float32', indices: [4, 1], axis: 1 },
    { shape: [3, 7, 20], dtype: 'float32', indices: [6, 0, 2], axis: 1 },
    {
      shape: [3, 7, 20],
      dtype: 'float32',
      indices: [
        [1, 2],
        [19, 0],
      ],
      axis: 2,
    },
    { shape: [12], dtype: 'bool', indices: [11, 0, 5], axis: 0 },
    { shape: [4, 33], dtype: 'float32', indices: [[3], [0]], axis: -2 },
    { shape: [5, 2], dtype: 'float32', indices: [], axis: 0 },
  ];
  for (const [i, c] of cases.entries()) {
    const values = valuesFor(c, i);
    const cpu = await gatherOn('cpu', c, values);
    const wasm = await gatherOn('wasm', c, values);
    assert.deepEqual(wasm, cpu, `case ${i}: ${JSON.stringify(c)}`);
  }
});

test('wasm GatherV2 rejects an index outside the axis with the tfjs message', async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  const x = tf.zeros([4, 3]);
  for (const bad of [4, -1]) {
    const idx = tf.tensor1d([0, bad], 'int32');
    assert.throws(
      () => tf.gather(x, idx),
      new RegExp(`GatherV2: the index value ${bad} is not in \\[0, 3\\]`),
    );
    idx.dispose();
  }
  x.dispose();
});

test('wasm GatherV2 with batchDims still goes to the tfjs kernel and agrees with cpu', async () => {
  const values = Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const run = async (backend: 'cpu' | 'wasm') => {
    await initBackend({ backend, quiet: true });
    const x = tf.tensor3d(values, [2, 3, 4]);
    const idx = tf.tensor2d(
      [
        [2, 0],
        [1, 1],
      ],
      [2, 2],
      'int32',
    );
    const out = tf.gather(x, idx, 1, 1);
    const r = out.arraySync();
    tf.dispose([x, idx, out]);
    return r;
  };
  assert.deepEqual(await run('wasm'), await run('cpu'));
});
