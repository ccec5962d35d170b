import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import type { Dataset } from '../../src/data/dataset.js';
import { KerasBatchNormalization } from '../../src/models/batchNormalization.js';
import { recomputeBatchNormStatistics } from '../../src/models/recomputeBatchNormStatistics.js';
import { withReplacedLayerCalls } from '../../src/models/replaceLayerCalls.js';
import { resnetV1 } from '../../src/models/resnetV1.js';
import { createRng } from '../../src/util/random.js';

before(async () => {
  await initBackend({ quiet: true });
});

function randomData(n: number, shape: [number, number, number], seed: number): Dataset {
  const rng = createRng(seed);
  const size = n * shape[0] * shape[1] * shape[2];
  return {
    images: tf.tensor4d(
      Float32Array.from({ length: size }, () => 0.5 + rng.normal()),
      [n, ...shape],
    ),
    labels: tf.tensor1d(
      Int32Array.from({ length: n }, () => rng.int(3)),
      'int32',
    ),
    numClasses: 3,
  };
}

/** Per-channel mean and population variance, float64, of x [rows, c]. */
function channelStats(x: ArrayLike<number>, c: number): { mean: number[]; variance: number[] } {
  const rows = x.length / c;
  const mean = Array.from({ length: c }, (_, k) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += x[r * c + k]!;
    return s / rows;
  });
  const variance = mean.map((m, k) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += (x[r * c + k]! - m) ** 2;
    return s / rows;
  });
  return { mean, variance };
}

function movingStats(layer: tfl.layers.Layer): { mean: Float32Array; variance: Float32Array } {
  const read = (suffix: string) =>
    layer.weights
      .find((w) => w.originalName.endsWith(suffix))!
      .read()
      .dataSync() as Float32Array;
  return { mean: read('/moving_mean'), variance: read('/moving_variance') };
}

/** |moving − exact| within `tol` of the channel's standard deviation (mean) or variance (variance). */
function assertStats(layer: tfl.layers.Layer, exact: { mean: number[]; variance: number[] }, tol: number) {
  const got = movingStats(layer);
  exact.mean.forEach((m, k) => {
    const sd = Math.sqrt(exact.variance[k]!);
    assert.ok(Math.abs(got.mean[k]! - m) <= tol * sd, `${layer.name} mean[${k}]: ${got.mean[k]} vs ${m}`);
    assert.ok(
      Math.abs(got.variance[k]! - exact.variance[k]!) <= tol * exact.variance[k]!,
      `${layer.name} variance[${k}]: ${got.variance[k]} vs ${exact.variance[k]}`,
    );
  });
}

test('the statistics of a batch norm after a convolution equal its input’s exact mean and variance over the data', async () => {
  const input = tfl.input({ shape: [5, 5, 2] });
  const conv = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', biasInitializer: 'ones' });
  const bn = new KerasBatchNormalization({ name: 'bn' });
  const out = tfl.layers
    .dense({ units: 3, activation: 'softmax' })
    .apply(tfl.layers.flatten().apply(bn.apply(conv.apply(input)))) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  const data = randomData(10, [5, 5, 2], 1);
  try {
    // The convolution's output in float64, independently of tfjs: 'same' padding of one pixel.
    const x = data.images.dataSync();
    const w = conv.getWeights()[0]!.dataSync();
    const b = conv.getWeights()[1]!.dataSync();
    const z: number[] = [];
    for (let i = 0; i < 10; i++)
      for (let h = 0; h < 5; h++)
        for (let v = 0; v < 5; v++)
          for (let o = 0; o < 3; o++) {
            let s = b[o]!;
            for (let a = 0; a < 3; a++)
              for (let c = 0; c < 3; c++)
                for (let ch = 0; ch < 2; ch++) {
                  const hh = h + a - 1;
                  const vv = v + c - 1;
                  if (hh < 0 || hh >= 5 || vv < 0 || vv >= 5) continue;
                  s += x[((i * 5 + hh) * 5 + vv) * 2 + ch]! * w[((a * 3 + c) * 2 + ch) * 3 + o]!;
                }
            z.push(s);
          }
    const before = tf.memory().numTensors;
    const result = await recomputeBatchNormStatistics(model, data, { batchSize: 3 });
    assert.deepEqual(result, { layers: ['bn'], examples: 10 });
    assert.equal(tf.memory().numTensors, before);
    // float32 convolution against float64: ~1e-7 relative per value.
    assertStats(bn, channelStats(z, 3), 1e-5);
  } finally {
    model.dispose();
    tf.dispose([data.images, data.labels]);
  }
});

test('ResNet-8 in one batch: inference mode then normalizes every layer with its input’s exact statistics', async () => {
  const model = resnetV1({ depth: 8, inputShape: [6, 6, 3], numFilters: 4, numClasses: 3, seed: 2 });
  const data = randomData(12, [6, 6, 3], 3);
  try {
    await recomputeBatchNormStatistics(model, data, { batchSize: 12 });
    const bnLayers = model.layers.filter((l) => l instanceof KerasBatchNormalization);
    assert.equal(bnLayers.length, 7);
    // Every batch-norm input in an inference-mode pass with the recomputed statistics.
    const inputs: Float32Array[] = [];
    withReplacedLayerCalls(
      bnLayers,
      (_, original) => (x, kwargs) => {
        inputs.push((Array.isArray(x) ? x[0]! : x).dataSync() as Float32Array);
        return original(x, kwargs);
      },
      () => {
        tf.tidy(() => {
          model.apply(data.images, { training: false });
        });
      },
    );
    // float32 rounding, propagated through a few layers, stays far below 1e-5 of a standard deviation.
    bnLayers.forEach((layer, i) => {
      assertStats(layer, channelStats(inputs[i]!, movingStats(layer).mean.length), 1e-5);
    });
  } finally {
    model.dispose();
    tf.dispose([data.images, data.labels]);
  }
});

test('recomputeBatchNormStatistics restores the statistics when it fails and names bad options', async () => {
  const input = tfl.input({ shape: [5, 5, 2] });
  const bn = new KerasBatchNormalization({ name: 'bn' });
  const conv = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' });
  const out = tfl.layers
    .dense({ units: 3 })
    .apply(tfl.layers.flatten().apply(bn.apply(conv.apply(input)))) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  // 4×4 images pass the convolution and the batch norm (which updates its moving statistics in training
  // mode), then fail at the dense layer, which expects 5·5·3 features.
  const bad = randomData(4, [4, 4, 2], 3);
  try {
    const before = movingStats(bn);
    const tensors = tf.memory().numTensors;
    await assert.rejects(recomputeBatchNormStatistics(model, bad));
    assert.deepEqual(movingStats(bn), before);
    assert.equal(tf.memory().numTensors, tensors);
    await assert.rejects(
      recomputeBatchNormStatistics(model, bad, { batchSize: 0 }),
      /options.batchSize must be a positive integer, got 0/,
    );
  } finally {
    model.dispose();
    tf.dispose([bad.images, bad.labels]);
  }
});
