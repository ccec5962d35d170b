import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { KerasBatchNormalization } from '../../src/models/batchNormalization.js';
import { createRng } from '../../src/util/random.js';

before(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

test('training mode normalizes with batch statistics and updates the moving ones as Keras (fused) does', () => {
  const rng = createRng(4);
  const shape = [3, 2, 2, 2];
  const values = Float32Array.from({ length: 24 }, () => 2 + 3 * rng.normal());
  const layer = new KerasBatchNormalization({ name: 'bn', momentum: 0.9 });
  const x = tf.tensor4d(values, shape as [number, number, number, number]);
  layer.apply(x); // builds
  const y = layer.apply(x, { training: true }) as tf.Tensor;
  const out = y.dataSync();
  const [gamma, beta, movingMean, movingVariance] = layer
    .getWeights()
    .map((w) => Float64Array.from(w.dataSync()));
  assert.deepEqual([...gamma!], [1, 1]);
  assert.deepEqual([...beta!], [0, 0]);
  for (const c of [0, 1]) {
    const xs: number[] = [];
    for (let i = c; i < 24; i += 2) xs.push(values[i]!);
    const n = xs.length;
    const mean = xs.reduce((s, v) => s + v, 0) / n;
    const biased = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    for (let i = c, k = 0; i < 24; i += 2, k++) {
      const expected = (xs[k]! - mean) / Math.sqrt(biased + 1e-3);
      assert.ok(Math.abs(out[i]! - expected) < 1e-5, `output ${i}`);
    }
    assert.ok(Math.abs(movingMean![c]! - 0.1 * mean) < 1e-5, 'moving mean');
    // Bessel's correction on the moving variance, as TensorFlow's fused batch norm applies it.
    const expectedVariance = 0.9 * 1 + 0.1 * biased * (n / (n - 1));
    assert.ok(
      Math.abs(movingVariance![c]! - expectedVariance) < 1e-5,
      `moving variance ${movingVariance![c]} vs ${expectedVariance}`,
    );
  }
  // Inference mode uses the moving statistics and leaves them alone.
  const z = layer.apply(x, { training: false }) as tf.Tensor;
  const inference = z.dataSync();
  for (let i = 0; i < 24; i++) {
    const c = i % 2;
    const expected = (values[i]! - movingMean![c]!) / Math.sqrt(movingVariance![c]! + 1e-3);
    assert.ok(Math.abs(inference[i]! - expected) < 1e-5);
  }
  assert.deepEqual(Float64Array.from(layer.getWeights()[2]!.dataSync()), movingMean);
  tf.dispose([x, y, z]);
  layer.dispose();
});

test('gradients flow through the batch statistics in training mode', () => {
  // d/dx Σ y·r for y = (x − μ)/σ: the batch mean makes the gradient sum to zero over the batch.
  const layer = new KerasBatchNormalization({ name: 'bn2', epsilon: 1e-5 });
  const x = tf.tensor2d([[1], [2], [4], [7]]);
  const r = tf.tensor2d([[0.3], [-1], [2], [0.5]]);
  layer.apply(x);
  const g = tf.grad((input: tf.Tensor) =>
    tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, r)),
  )(x);
  const grad = Array.from(g.dataSync());
  assert.ok(Math.abs(grad.reduce((s, v) => s + v, 0)) < 1e-5);
  // Closed form: (1/σ)(r − mean(r) − ŷ·mean(r·ŷ)).
  const xs = [1, 2, 4, 7];
  const rs = [0.3, -1, 2, 0.5];
  const mean = 3.5;
  const sigma = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / 4 + 1e-5);
  const yhat = xs.map((v) => (v - mean) / sigma);
  const rMean = rs.reduce((s, v) => s + v, 0) / 4;
  const ryMean = rs.reduce((s, v, i) => s + v * yhat[i]!, 0) / 4;
  xs.forEach((_, i) => {
    const expected = (rs[i]! - rMean - yhat[i]! * ryMean) / sigma;
    assert.ok(Math.abs(grad[i]! - expected) < 1e-5, `grad ${i}: ${grad[i]} vs ${expected}`);
  });
  tf.dispose([x, r, g]);
  layer.dispose();
});

test('bad momentum or epsilon is refused', () => {
  assert.throws(
    () => new KerasBatchNormalization({ momentum: 1.5 }),
    /momentum must be in \[0, 1\], got 1.5/,
  );
  assert.throws(() => new KerasBatchNormalization({ epsilon: 0 }), /epsilon must be positive, got 0/);
});
