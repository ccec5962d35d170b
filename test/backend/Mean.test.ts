import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { setSimdKernelsEnabled } from '../../src/backend/kernels/simd/simdKernels.js';
import { createRng } from '../../src/util/random.js';

/** Per-channel float64 mean of x [rows, c]. */
function channelMeans(values: Float32Array, c: number): Float64Array {
  const out = new Float64Array(c);
  for (let i = 0; i < values.length; i++) out[i % c]! += values[i]!;
  return out.map((s) => s / (values.length / c));
}

test('wasm Mean over N, H, W: the blocked sum is 10× more accurate than a running float32 sum', async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  // 32,768 values per channel with mean 3: batch norm's statistics of a 32-image 32×32 chunk.
  const shape = [32, 32, 32, 4];
  const rng = createRng(5);
  const values = Float32Array.from({ length: 32 * 32 * 32 * 4 }, () => 3 + rng.normal());
  const exact = channelMeans(values, 4);
  const maxRelative = (simd: boolean) => {
    const previous = setSimdKernelsEnabled(simd);
    try {
      const before = tf.memory().numTensors;
      const got = tf.tidy(() => tf.mean(tf.tensor(values, shape), [0, 1, 2]).dataSync());
      const kept = tf.tidy(() => tf.mean(tf.tensor(values, shape), [0, 1, 2], true));
      assert.deepEqual(kept.shape, [1, 1, 1, 4]);
      assert.deepEqual(Array.from(kept.dataSync()), Array.from(got));
      kept.dispose();
      assert.equal(tf.memory().numTensors, before);
      return Math.max(...Array.from(got, (g, k) => Math.abs(g - exact[k]!) / exact[k]!));
    } finally {
      setSimdKernelsEnabled(previous);
    }
  };
  const blocked = maxRelative(true);
  const running = maxRelative(false);
  // Blocks of 64 rows: a few float32 ulps (6e-8 each); a running sum of 32,768 terms drifts to ~1e-5.
  assert.ok(blocked < 5e-7, `blocked sum: ${blocked}`);
  assert.ok(blocked * 10 < running, `blocked ${blocked} vs tfjs ${running}`);
  // The innermost axis and non-contiguous axes still go to tfjs's kernel, and agree with it.
  const x = tf.tensor(values.subarray(0, 60), [3, 4, 5]);
  for (const axis of [2, [0, 2]]) {
    const ours = tf.tidy(() => tf.mean(x, axis).dataSync());
    const exactSmall = tf.tidy(() => tf.div(tf.sum(x, axis), axis === 2 ? 5 : 15).dataSync());
    ours.forEach((v, i) => {
      assert.ok(Math.abs(v - exactSmall[i]!) < 1e-6, `axis ${axis}`);
    });
  }
  x.dispose();
});
