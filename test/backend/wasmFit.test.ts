import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import { createRng } from '../../src/util/random.js';

// End to end on the wasm backend: model.fit trains a small conv net, which needs the Conv2DBackpropFilter
// kernel this library registers (tfjs 4.22's wasm backend has none) and its Conv2DBackpropInput.

const SIZE = 8;
const COUNT = 96;

/** Horizontal (class 0) or vertical (class 1) bars at random positions, in Gaussian noise. */
function bars(seed: number): { x: Float32Array; labels: number[] } {
  const rng = createRng(seed);
  const x = new Float32Array(COUNT * SIZE * SIZE);
  const labels: number[] = [];
  for (let n = 0; n < COUNT; n++) {
    const label = n % 2;
    const line = 1 + rng.int(SIZE - 2);
    for (let i = 0; i < SIZE; i++) {
      for (let j = 0; j < SIZE; j++) {
        const onBar = label === 0 ? i === line : j === line;
        x[(n * SIZE + i) * SIZE + j] = (onBar ? 1 : 0) + 0.3 * rng.normal();
      }
    }
    labels.push(label);
  }
  return { x, labels };
}

test('a small conv net trains with model.fit on the wasm backend (loss falls, accuracy rises)', async () => {
  const info = await initBackend({ backend: 'wasm', quiet: true });
  assert.equal(info.backend, 'wasm');
  const { x, labels } = bars(2024);
  const xs = tf.tensor4d(x, [COUNT, SIZE, SIZE, 1]);
  const ys = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 2), 'float32');
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [SIZE, SIZE, 1],
        filters: 6,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tfl.layers.conv2d({
        filters: 6,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        kernelInitializer: init(2),
      }),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.averagePooling2d({ poolSize: 4 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(xs, ys, { epochs: 10, batchSize: 16, shuffle: false, verbose: 0 });
  const loss = history.history['loss'] as number[];
  const accuracy = history.history['acc'] as number[];
  // Chance level is loss ln 2 ≈ 0.69 and accuracy 0.5; the classes are separable by oriented filters.
  assert.ok(loss[0]! > 0.5, `the first epoch's loss ${loss[0]} should be near chance (ln 2)`);
  assert.ok(loss.at(-1)! < 0.4 * loss[0]!, `loss fell only from ${loss[0]} to ${loss.at(-1)}`);
  assert.ok(
    accuracy.at(-1)! >= 0.95,
    `final training accuracy ${accuracy.at(-1)} (first epoch ${accuracy[0]})`,
  );
  model.dispose();
  tf.dispose([xs, ys]);
});
