import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { trainingBatchNorm } from '../../src/backend/kernels/wasm/trainingBatchNorm.js';
import { createRng } from '../../src/util/random.js';

function randomTensor(shape: number[], seed: number, offset = 0, scale = 1): tf.Tensor {
  const rng = createRng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = offset + scale * rng.normal();
  return tf.tensor(values, shape);
}

/** The same map written with plain differentiable ops, as autodiff sees it. */
function reference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return tf.add(tf.mul(tf.sub(x, mean), tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)))), beta);
}

function assertClose(actual: tf.Tensor, expected: tf.Tensor, tol: number, what: string): void {
  const a = actual.dataSync();
  const e = expected.dataSync();
  assert.equal(a.length, e.length, what);
  let scale = 0;
  for (const v of e) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i]! - e[i]!) <= tol * Math.max(1, scale), `${what}[${i}]: ${a[i]} vs ${e[i]}`);
}

for (const backend of ['wasm', 'cpu'] as const) {
  test(`trainingBatchNorm on ${backend}: output, batch statistics and gradients match plain ops`, async () => {
    await initBackend({ backend, quiet: true });
    const shape = [3, 5, 4, 6];
    // An offset mean makes the dependence of the gradient on the batch statistics matter.
    const x = randomTensor(shape, 1, 2, 1.5);
    const gamma = randomTensor([6], 2, 1, 0.3) as tf.Tensor1D;
    const beta = randomTensor([6], 3) as tf.Tensor1D;
    const r = randomTensor(shape, 4);
    const eps = 1e-3;
    const before = tf.memory().numTensors;
    const fused = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { y, mean, variance } = trainingBatchNorm(a, g as tf.Tensor1D, b as tf.Tensor1D, eps);
      tf.dispose([mean, variance]);
      return tf.sum(tf.mul(y, r));
    })([x, gamma, beta]);
    const plain = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(reference(a, g, b, eps), r)),
    )([x, gamma, beta]);
    // Float32 sums of ~60 terms of size ~1: a few hundred ulps at most.
    for (const [i, name] of ['dx', 'dgamma', 'dbeta'].entries())
      assertClose(fused[i]!, plain[i]!, 2e-5, `${backend} ${name}`);
    tf.dispose([...fused, ...plain]);

    const { y, mean, variance } = trainingBatchNorm(x, gamma, beta, eps);
    const expected = tf.tidy(() => reference(x, gamma, beta, eps));
    const moments = tf.moments(x, [0, 1, 2]);
    assertClose(y, expected, 1e-5, `${backend} y`);
    assertClose(mean, moments.mean, 1e-6, `${backend} mean`);
    assertClose(variance, moments.variance, 1e-5, `${backend} variance`);
    tf.dispose([y, mean, variance, expected, moments.mean, moments.variance]);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    tf.dispose([x, gamma, beta, r]);
  });
}

test('trainingBatchNorm rejects mismatched parameters', async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  const x = tf.zeros([2, 3]);
  assert.throws(
    () => trainingBatchNorm(x, tf.ones([2]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, 1e-3),
    RangeError,
  );
  assert.throws(
    () => trainingBatchNorm(x, tf.ones([3]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, 0),
    RangeError,
  );
});
