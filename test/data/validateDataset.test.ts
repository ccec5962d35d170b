import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import { gradientCovarianceOperator } from '../../src/curvature/gradientCovarianceOperator.js';
import { hessianOperator } from '../../src/curvature/hessianOperator.js';
import { parallelHutchinsonTrace } from '../../src/curvature/parallel/parallelHutchinsonTrace.js';
import { trainingObjective } from '../../src/curvature/trainingObjective.js';
import type { Dataset } from '../../src/data/dataset.js';
import { datasetFromArrays } from '../../src/data/datasetArrays.js';
import { validateDataset, validateLabels } from '../../src/data/validateDataset.js';
import { measureMinimum } from '../../src/experiments/measureMinimum.js';
import { gradientNoise } from '../../src/noise/gradientNoise.js';
import { evaluateModel } from '../../src/train/evaluate.js';
import { trainSGD } from '../../src/train/trainSGD.js';

before(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

const N = 6;

function classifier(units: number): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [1, 1, 2] }),
      tfl.layers.dense({ units, activation: 'softmax' }),
    ],
  });
}

function dataset(labels: number[], numClasses: number, dtype: 'int32' | 'float32' = 'int32'): Dataset {
  return {
    images: tf.randomNormal([labels.length, 1, 1, 2], 0, 1, 'float32', 1) as tf.Tensor4D,
    labels: tf.tensor1d(labels, dtype),
    numClasses,
  };
}

/** Every library entry point that takes a data set, called with `model` and `data`. */
const ENTRY_POINTS: Record<string, (model: tfl.LayersModel, data: Dataset) => Promise<unknown>> = {
  trainSGD: (model, data) => trainSGD(model, data, { lr: 0.1, batchSize: 2, epochs: 1, quiet: true }),
  trainingObjective: async (model, data) => trainingObjective(model, data, {}),
  hessianOperator: async (model, data) => hessianOperator(model, data, {}),
  gradientCovarianceOperator: async (model, data) => gradientCovarianceOperator(model, data, {}),
  gradientNoise: (model, data) => gradientNoise(model, data, {}),
  measureMinimum: (model, data) => measureMinimum(model, data, { probes: 2 }),
  evaluateModel: (model, data) => evaluateModel(model, data),
  parallelHutchinsonTrace: (model, data) => parallelHutchinsonTrace(model, data, { probes: 2, loss: 'kld' }),
};

for (const [name, call] of Object.entries(ENTRY_POINTS)) {
  test(`${name} refuses labels out of range, non-integral labels and a class count unequal to the model's`, async () => {
    const model = classifier(3);
    const cases: [Dataset, RegExp][] = [
      // All 7 with 3 classes: one-hot rows of zeros would give a loss and a Hessian of 0, silently.
      [
        dataset([0, 1, 2, 7, 7, 7], 3),
        new RegExp(`^RangeError: ${name}: data\\.labels\\[3\\] is 7; labels must be integers in \\[0, 3\\)`),
      ],
      [dataset([0, 1, -1, 2, 0, 1], 3), new RegExp(`^RangeError: ${name}: data\\.labels\\[2\\] is -1`)],
      [
        dataset([0, 1, 2, 0.5, 0, 1], 3, 'float32'),
        new RegExp(`^RangeError: ${name}: data\\.labels\\[3\\] is 0\\.5`),
      ],
      [
        dataset([0, 1, 2, 0, 1, 2], 10),
        new RegExp(`^RangeError: ${name}: data\\.numClasses is 10 but the model has 3 output units`),
      ],
    ];
    try {
      for (const [data, message] of cases) {
        const before = tf.memory().numTensors;
        await assert.rejects(call(model, data), message);
        assert.equal(tf.memory().numTensors, before, 'tensors leaked on the error path');
        tf.dispose([data.images, data.labels]);
      }
    } finally {
      model.dispose();
    }
  });
}

test('trainSGD names the validation set it checks', async () => {
  const model = classifier(3);
  const train = dataset([0, 1, 2, 0, 1, 2], 3);
  const validation = dataset([0, 9], 3);
  try {
    await assert.rejects(
      trainSGD(model, train, { lr: 0.1, batchSize: 2, epochs: 1, quiet: true, validationData: validation }),
      /^RangeError: trainSGD: options\.validationData\.labels\[1\] is 9/,
    );
    await assert.rejects(
      trainSGD(model, { train, test: validation }, { lr: 0.1, batchSize: 2, epochs: 1, quiet: true }),
      /^RangeError: trainSGD: data\.test\.labels\[1\] is 9/,
    );
  } finally {
    tf.dispose([train.images, train.labels, validation.images, validation.labels]);
    model.dispose();
  }
});

test('datasetFromArrays checks the arrays before building tensors', () => {
  const before = tf.memory().numTensors;
  assert.throws(
    () =>
      datasetFromArrays({
        images: new Float32Array(N * 2),
        shape: [N, 1, 1, 2],
        labels: Int32Array.from([0, 1, 2, 3, 0, 1]),
        numClasses: 3,
      }),
    /^RangeError: datasetFromArrays: data\.labels\[3\] is 3/,
  );
  assert.equal(tf.memory().numTensors, before);
});

test('validateLabels and validateDataset accept valid data and name a bad class count', () => {
  validateLabels([0, 2, 1], 3, { caller: 'f', argument: 'data' });
  assert.throws(
    () => validateLabels([0], 0, { caller: 'f', argument: 'x' }),
    /^RangeError: f: x\.numClasses must be a positive integer, got 0/,
  );
  const data = dataset([0, 1], 2);
  const model = classifier(2);
  validateDataset(data, { caller: 'f', argument: 'data' }, model);
  validateDataset(data, { caller: 'f', argument: 'data' }, model); // cached: no second read
  assert.throws(
    () => validateDataset({ ...data, labels: tf.tensor1d([0], 'int32') }, { caller: 'f', argument: 'data' }),
    /f: data has 2 images but labels of shape \[1\]/,
  );
  tf.dispose([data.images, data.labels]);
  model.dispose();
});
