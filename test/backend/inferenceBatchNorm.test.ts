import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { setSimdKernelsEnabled } from '../../src/backend/kernels/simd/simdKernels.js';
import { inferenceBatchNorm } from '../../src/backend/kernels/wasm/inferenceBatchNorm.js';
import { createRng } from '../../src/util/random.js';

function randomTensor(shape: number[], seed: number, offset = 0, scale = 1): tf.Tensor {
  const rng = createRng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = offset + scale * rng.normal();
  return tf.tensor(values, shape);
}

/** The plain-op form KerasBatchNormalization uses under nested tapes and on other backends. */
function reference(
  x: tf.Tensor,
  g: tf.Tensor,
  b: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  eps: number,
): tf.Tensor {
  const scale = tf.mul(g, tf.rsqrt(tf.add(v, eps)));
  return tf.add(tf.mul(x, scale), tf.sub(b, tf.mul(m, scale)));
}

function assertClose(actual: tf.Tensor, expected: tf.Tensor, tol: number, what: string): void {
  const a = actual.dataSync();
  const e = expected.dataSync();
  assert.deepEqual(actual.shape, expected.shape, what);
  let scale = 0;
  for (const v of e) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i]! - e[i]!) <= tol * Math.max(1, scale), `${what}[${i}]: ${a[i]} vs ${e[i]}`);
}

for (const [backend, simd] of [
  ['wasm', true],
  ['wasm', false],
  ['cpu', false],
] as const) {
  const path = backend === 'wasm' ? (simd ? ' (SIMD passes)' : ' (tfjs-op passes)') : '';
  test(`inferenceBatchNorm on ${backend}${path}: output and gradients in x, γ, β, μ, σ² match plain ops`, async () => {
    await initBackend({ backend, quiet: true });
    const previous = setSimdKernelsEnabled(simd);
    // 6 channels exercise the SIMD kernels' scalar tails.
    const shape = [3, 5, 4, 6];
    const x = randomTensor(shape, 1, 2, 1.5);
    const params = [
      randomTensor([6], 2, 1, 0.3),
      randomTensor([6], 3),
      randomTensor([6], 4, 2, 0.5),
      tf.abs(randomTensor([6], 5, 1.5, 0.4)),
    ] as tf.Tensor1D[];
    const r = randomTensor(shape, 6);
    const eps = 1e-3;
    const before = tf.memory().numTensors;
    const f = (...t: tf.Tensor[]) =>
      tf.sum(
        tf.mul(
          inferenceBatchNorm(
            t[0]!,
            ...(t.slice(1) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D]),
            eps,
          ),
          r,
        ),
      );
    const g = (...t: tf.Tensor[]) => tf.sum(tf.mul(reference(t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, eps), r));
    const fused = tf.grads(f)([x, ...params]);
    const plain = tf.grads(g)([x, ...params]);
    // float32 sums of 60 terms of size ≈ 1–10: a few hundred ulps of the largest component at most.
    for (const [i, name] of ['dx', 'dgamma', 'dbeta', 'dmean', 'dvariance'].entries())
      assertClose(fused[i]!, plain[i]!, 2e-5, `${backend} ${name}`);
    tf.dispose([...fused, ...plain]);
    const y = inferenceBatchNorm(x, ...(params as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D]), eps);
    const expected = tf.tidy(() => reference(x, params[0]!, params[1]!, params[2]!, params[3]!, eps));
    assertClose(y, expected, 1e-6, `${backend} y`);
    tf.dispose([y, expected]);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    tf.dispose([x, r, ...params]);
    setSimdKernelsEnabled(previous);
  });
}

test('inferenceBatchNorm rejects mismatched parameters', async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  const x = tf.zeros([2, 3]);
  const c = tf.ones([3]) as tf.Tensor1D;
  assert.throws(() => inferenceBatchNorm(x, tf.ones([2]) as tf.Tensor1D, c, c, c, 1e-3), RangeError);
  assert.throws(() => inferenceBatchNorm(x, c, c, c, c, 0), RangeError);
});
