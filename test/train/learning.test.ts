import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import type { SplitDataset } from '../../src/data/dataset.js';
import { syntheticCifar10 } from '../../src/data/syntheticCifar10.js';
import { resnetV1 } from '../../src/models/resnetV1.js';
import { LOSS_NAMES } from '../../src/train/losses.js';
import { trainSGD } from '../../src/train/trainSGD.js';

// On the default (wasm) backend, which has the convolution filter gradient the training needs.
let data: SplitDataset;
before(async () => {
  await initBackend({ quiet: true });
  data = syntheticCifar10({ n: 200, seed: 1, testN: 50, height: 8, width: 8 });
});
after(() => tf.dispose([data.train.images, data.train.labels, data.test.images, data.test.labels]));

test('SGD on a small ResNet learns the synthetic classes: training accuracy far above chance', async () => {
  const model = resnetV1({ depth: 8, seed: 2, inputShape: [8, 8, 3], numFilters: 4 });
  const { history } = await trainSGD(model, data, {
    lr: 0.05,
    batchSize: 20,
    epochs: 8,
    momentum: 0.9,
    quiet: true,
  });
  const first = history[0]!;
  const last = history[history.length - 1]!;
  // Chance is 0.1; with 200 examples its standard error is 0.021, so 0.4 is 14 standard errors above it.
  assert.ok(last.accuracy > 0.4, `training accuracy ${last.accuracy}`);
  assert.ok(last.loss < 0.7 * first.loss, `loss ${first.loss} → ${last.loss}`);
  model.dispose();
});

test('every built-in loss trains, on probabilities and on logits', async () => {
  for (const outputActivation of ['softmax', 'linear'] as const) {
    for (const loss of LOSS_NAMES) {
      const model = resnetV1({ depth: 8, seed: 3, inputShape: [8, 8, 3], numFilters: 2, outputActivation });
      const { history } = await trainSGD(model, data.train, {
        lr: 0.05,
        batchSize: 50,
        epochs: 2,
        loss,
        quiet: true,
      });
      assert.ok(
        history.every((h) => Number.isFinite(h.loss)),
        `${loss} on ${outputActivation}`,
      );
      model.dispose();
    }
  }
});
