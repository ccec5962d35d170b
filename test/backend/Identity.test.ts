import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';

before(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

test('clone shares the data on wasm, and each handle keeps it alive until both are disposed', () => {
  const before = tf.engine().backend.numDataIds();
  const x = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  const y = tf.clone(x);
  assert.equal(tf.engine().backend.numDataIds(), before + 1, 'no second buffer for the clone');
  x.dispose();
  assert.deepEqual(y.arraySync(), [
    [1, 2],
    [3, 4],
  ]);
  y.dispose();
  assert.equal(tf.engine().backend.numDataIds(), before, 'buffer freed with the last handle');
});

test('an op on a clone leaves the original untouched', () => {
  const x = tf.tensor1d([1, -2, 3]);
  const y = tf.clone(x);
  const z = tf.relu(y);
  assert.deepEqual(Array.from(x.dataSync()), [1, -2, 3]);
  assert.deepEqual(Array.from(z.dataSync()), [1, 0, 3]);
  tf.dispose([x, y, z]);
});

test('variables assigned from a clone keep their own values', () => {
  const x = tf.tensor1d([5, 6]);
  const v = tf.variable(tf.clone(x));
  v.assign(tf.tensor1d([7, 8]));
  assert.deepEqual(Array.from(x.dataSync()), [5, 6]);
  assert.deepEqual(Array.from(v.dataSync()), [7, 8]);
  tf.dispose([x, v]);
});

test('string tensors still clone through tfjs’s own kernel', () => {
  const s = tf.tensor1d(['a', 'bc'], 'string');
  const c = tf.clone(s);
  s.dispose();
  assert.deepEqual(c.arraySync(), ['a', 'bc']);
  c.dispose();
});

test('gradients that save their inputs are unchanged and do not leak', () => {
  const x = tf.tensor1d([0.5, -1, 2]);
  const start = tf.memory().numTensors;
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.sigmoid(t), t)))(x);
  const s = (v: number) => 1 / (1 + Math.exp(-v));
  const expected = [0.5, -1, 2].map((v) => s(v) + v * s(v) * (1 - s(v)));
  const got = Array.from(g.dataSync());
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(got[i]! - expected[i]!) < 1e-6);
  g.dispose();
  assert.equal(tf.memory().numTensors, start);
  x.dispose();
});
