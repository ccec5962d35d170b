import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { KerasSGD } from '../../src/train/kerasSGD.js';

before(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

test("momentum follows Keras' rule v ← μv − δg, w ← w + v, also when δ changes", async () => {
  const w = tf.variable(tf.tensor1d([1, -2]), true, 'sgd_test_w');
  const variables = [{ name: 'w', variable: w }];
  const sgd = new KerasSGD(0.9);
  const steps: [number[], number][] = [
    [[0.5, 1], 0.1],
    [[-1, 2], 0.1],
    [[0.25, 0], 0.01],
  ];
  let expectedW = [1, -2];
  let v = [0, 0];
  for (const [g, lr] of steps) {
    const grad = tf.tensor1d(g);
    sgd.apply(variables, { [w.name]: grad }, lr);
    grad.dispose();
    v = v.map((vi, i) => 0.9 * vi - lr * g[i]!);
    expectedW = expectedW.map((wi, i) => wi + v[i]!);
  }
  const actual = w.dataSync();
  for (const [i, e] of expectedW.entries())
    assert.ok(Math.abs(actual[i]! - e) < 1e-6, `${actual[i]} vs ${e}`);
  // tfjs' MomentumOptimizer form (v ← μv + g, w ← w − δv) would give a different result here.
  const state = await sgd.state();
  assert.deepEqual([...state.keys()], ['w']);
  for (const [i, x] of state.get('w')!.data.entries()) assert.ok(Math.abs(x - v[i]!) < 1e-6);

  const restored = new KerasSGD(0.9);
  restored.load(state, variables);
  assert.deepEqual(await restored.state(), state);
  assert.throws(
    () => restored.load(new Map([['other', state.get('w')!]]), variables),
    /a momentum buffer for 'other', which is not a trained weight/,
  );
  sgd.dispose();
  restored.dispose();
  w.dispose();
});

test('without momentum it is plain SGD and keeps no state', async () => {
  const w = tf.variable(tf.tensor1d([3]), true, 'sgd_test_plain');
  const sgd = new KerasSGD(0);
  const g = tf.tensor1d([2]);
  const before = tf.memory().numTensors;
  sgd.apply([{ name: 'w', variable: w }], { [w.name]: g }, 0.25);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(w.dataSync()[0], 2.5);
  assert.equal((await sgd.state()).size, 0);
  assert.throws(() => new KerasSGD(1), /momentum must be in \[0, 1\), got 1/);
  tf.dispose([w, g]);
});
