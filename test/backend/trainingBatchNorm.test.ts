import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { setSimdKernelsEnabled } from '../../src/backend/kernels/simd/simdKernels.js';
import { ChannelAffine, ChannelGradSums } from '../../src/backend/kernels/wasm/channelKernels.js';
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

/** Float64 batch norm and its gradient for the loss Σ y·r, from the float32 inputs' exact values. */
function float64BatchNorm(
  x: Float32Array,
  r: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  eps: number,
) {
  const channels = gamma.length;
  const n = x.length / channels;
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) mean[i % channels]! += x[i]! / n;
  for (let i = 0; i < x.length; i++) variance[i % channels]! += (x[i]! - mean[i % channels]!) ** 2 / n;
  const rstd = Array.from(variance, (v) => 1 / Math.sqrt(v + eps));
  const y = new Float64Array(x.length);
  const dGamma = new Float64Array(channels);
  const dBeta = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) {
    const c = i % channels;
    const xHat = (x[i]! - mean[c]!) * rstd[c]!;
    y[i] = gamma[c]! * xHat + beta[c]!;
    dGamma[c]! += r[i]! * xHat;
    dBeta[c]! += r[i]!;
  }
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % channels;
    const xHat = (x[i]! - mean[c]!) * rstd[c]!;
    dx[i] = gamma[c]! * rstd[c]! * (r[i]! - dBeta[c]! / n - (xHat * dGamma[c]!) / n);
  }
  return { dx, dGamma, dBeta, y, mean, variance };
}

function maxError(actual: tf.Tensor, exact: Float64Array): number {
  const a = actual.dataSync();
  let worst = 0;
  for (let i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(a[i]! - exact[i]!));
  return worst;
}

test('trainingBatchNorm on wasm: the SIMD passes are as accurate as the tfjs-op passes, also for |mean| >> std', async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  // Channels not a multiple of 4 exercise the kernels' scalar tails; > 64 rows, their blocked sums;
  // an offset of 200 standard deviations, cancellation in the centring.
  for (const [shape, offset, spread] of [
    [[4, 7, 5, 6], 2, 1.5],
    [[8, 6, 6, 16], 100, 0.5],
    [[130, 3], -3, 2],
  ] as const) {
    const x = randomTensor([...shape], 11, offset, spread);
    const channels = shape[shape.length - 1]!;
    const gamma = randomTensor([channels], 12, 1, 0.3) as tf.Tensor1D;
    const beta = randomTensor([channels], 13) as tf.Tensor1D;
    const r = randomTensor([...shape], 14);
    const eps = 1e-3;
    const run = (simd: boolean) => {
      const previous = setSimdKernelsEnabled(simd);
      try {
        const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { y, mean, variance } = trainingBatchNorm(a, g as tf.Tensor1D, b as tf.Tensor1D, eps);
          tf.dispose([mean, variance]);
          return tf.sum(tf.mul(y, r));
        })([x, gamma, beta]);
        const forward = trainingBatchNorm(x, gamma, beta, eps);
        return [...grads, forward.y, forward.mean, forward.variance];
      } finally {
        setSimdKernelsEnabled(previous);
      }
    };
    const before = tf.memory().numTensors;
    const simd = run(true);
    const plain = run(false);
    const exact = float64BatchNorm(
      x.dataSync() as Float32Array,
      r.dataSync() as Float32Array,
      gamma.dataSync() as Float32Array,
      beta.dataSync() as Float32Array,
      eps,
    );
    const truth = [exact.dx, exact.dGamma, exact.dBeta, exact.y, exact.mean, exact.variance];
    for (const [i, name] of ['dx', 'dgamma', 'dbeta', 'y', 'mean', 'variance'].entries()) {
      const simdError = maxError(simd[i]!, truth[i]!);
      const plainError = maxError(plain[i]!, truth[i]!);
      let scale = 0;
      for (const v of truth[i]!) scale = Math.max(scale, Math.abs(v));
      // No worse than the tfjs-op path beyond a factor 2, or within a few float32 ulps of the largest value.
      assert.ok(
        simdError <= 2 * plainError + 8 * 2 ** -24 * scale,
        `${shape} offset ${offset} ${name}: SIMD error ${simdError}, tfjs-op error ${plainError}, scale ${scale}`,
      );
    }
    tf.dispose([...simd, ...plain]);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    tf.dispose([x, gamma, beta, r]);
  }
});

test('the per-channel kernels reject operands of the wrong shape, naming them', async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  const x = tf.zeros([4, 3]);
  const dy = tf.zeros([4, 3]);
  const short = tf.zeros([2]);
  assert.throws(
    () => tf.engine().runKernel(ChannelAffine, { x, a: short, b: short }),
    /SgdFactorsChannelAffine: a has shape \[2\], expected 3 channels/,
  );
  assert.throws(
    () => tf.engine().runKernel(ChannelGradSums, { dy, x: tf.zeros([3, 3]), mean: tf.zeros([3]) }),
    /SgdFactorsChannelGradSums: x has shape \[3,3\], expected \[4,3\]/,
  );
  tf.dispose([x, dy, short]);
});
