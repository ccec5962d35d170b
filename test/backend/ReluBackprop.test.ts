import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { setSimdKernelsEnabled } from '../../src/backend/kernels/simd/simdKernels.js';
import { ReluBackprop, reluBackpropAvailable } from '../../src/backend/kernels/wasm/ReluBackprop.js';
import { createRng } from '../../src/util/random.js';

/** The Relu gradient of Σ dy·relu(x), through whatever gradient is registered. */
function reluGradient(x: tf.Tensor, dy: tf.Tensor): Float32Array {
  const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), dy)))(x);
  const values = g.dataSync() as Float32Array;
  g.dispose();
  return values;
}

test('on wasm the fused ReLU gradient is bitwise tfjs’s mul(dy, cast(step(x))), NaN, ±∞ and ±0 included', async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  const rng = createRng(3);
  // 4099 elements: the SIMD body and its scalar tail; special values placed in both.
  const n = 4099;
  const xv = new Float32Array(n).map(() => rng.normal());
  const dyv = new Float32Array(n).map(() => rng.normal());
  for (const i of [0, 5, 4097]) xv[i] = Number.NaN;
  for (const i of [1, 6, 4098]) xv[i] = 0;
  for (const i of [2, 4096]) xv[i] = -0;
  for (const i of [3, 7]) dyv[i] = Number.POSITIVE_INFINITY;
  for (const i of [8, 9]) dyv[i] = Number.NaN;
  xv[8] = -1;
  xv[9] = 2;
  dyv[10] = -0;
  xv[10] = 3;
  const x = tf.tensor1d(xv);
  const dy = tf.tensor1d(dyv);
  const before = tf.memory().numTensors;
  assert.ok(reluBackpropAvailable(), 'the fused kernel should be in use on wasm');
  const fused = reluGradient(x, dy);
  const previous = setSimdKernelsEnabled(false);
  const plain = reluGradient(x, dy);
  setSimdKernelsEnabled(previous);
  assert.equal(tf.memory().numTensors, before);
  for (let i = 0; i < n; i++)
    assert.ok(Object.is(fused[i], plain[i]), `element ${i}: ${fused[i]} vs ${plain[i]}`);
  tf.dispose([x, dy]);
});

test('Hessian-vector products through the fused ReLU gradient are exact: H·v of Σ r·relu(x)² is 2·r·step(x)·v', async () => {
  for (const simd of [true, false]) {
    await initBackend({ backend: 'wasm', quiet: true });
    const previous = setSimdKernelsEnabled(simd);
    try {
      const rng = createRng(8);
      const shape = [3, 5, 7];
      const size = 105;
      const xv = new Float32Array(size).map(() => rng.normal());
      const rv = new Float32Array(size).map(() => rng.normal());
      const vv = new Float32Array(size).map(() => rng.normal());
      const [x, r, v] = [xv, rv, vv].map((a) => tf.tensor(a, shape));
      const hv = tf.grad((a: tf.Tensor) => {
        const g = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(r!, tf.square(tf.relu(b)))))(a);
        return tf.sum(tf.mul(g, v!));
      })(x!);
      const got = hv.dataSync();
      for (let i = 0; i < size; i++) {
        const expected = xv[i]! > 0 ? 2 * rv[i]! * vv[i]! : 0;
        assert.ok(
          Math.abs(got[i]! - expected) <= 1e-6 * (1 + Math.abs(expected)),
          `simd=${simd} element ${i}`,
        );
      }
      tf.dispose([x!, r!, v!, hv]);
    } finally {
      setSimdKernelsEnabled(previous);
    }
  }
});

test('the fused ReLU kernel rejects mismatched operands, naming them', async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  const a = tf.zeros([2, 3]);
  const b = tf.zeros([3, 2]);
  assert.throws(
    () => tf.engine().runKernel(ReluBackprop, { dy: a, x: b }),
    /SgdFactorsReluBackprop: dy \[2,3\] and x \[3,2\] must have the same shape/,
  );
  tf.dispose([a, b]);
});
