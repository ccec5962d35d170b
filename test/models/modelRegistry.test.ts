import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { mlp } from '../../src/models/mlp.js';
import {
  buildModel,
  describeModel,
  type ModelDefinition,
  modelDefinition,
  modelNames,
  normalizeModelSpec,
  registerModel,
} from '../../src/models/modelRegistry.js';

before(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

describe('model registry', () => {
  it('has resnetV1 and mlp, fills defaults and names what is wrong', () => {
    assert.deepEqual(modelNames().slice(0, 2), ['resnetV1', 'mlp']);
    assert.deepEqual(normalizeModelSpec({ name: 'resnetV1', options: { depth: 8 } }, 'cfg'), {
      name: 'resnetV1',
      options: { depth: 8, numFilters: 16, weightDecay: 1e-4 },
    });
    assert.deepEqual(normalizeModelSpec({ name: 'mlp' }, 'cfg').options, {
      hidden: [128],
      activation: 'relu',
      weightDecay: 0,
    });
    assert.throws(() => modelDefinition('resnet'), /unknown model 'resnet' \(did you mean 'resnetV1'\?\)/);
    assert.throws(
      () => normalizeModelSpec({ name: 'resnetV1', options: { dpeth: 8 } }, 'cfg'),
      /cfg: unknown field 'dpeth' \(did you mean 'depth'\?\)/,
    );
    assert.throws(
      () => normalizeModelSpec({ name: 'mlp', options: { activation: 'gelu' } }, 'cfg'),
      /field 'activation' must be one of relu, tanh, sigmoid, got "gelu"/,
    );
  });

  it('refuses absurd sizes at once instead of building until memory runs out', () => {
    const started = performance.now();
    assert.throws(
      () => normalizeModelSpec({ name: 'resnetV1', options: { depth: 6000000002 } }, 'cfg'),
      /field 'depth' must be an integer in \[8, 1202\], got 6000000002/,
    );
    assert.throws(
      () => mlp({ inputShape: [784], numClasses: 10, hidden: [65536, 65536], seed: 0 }),
      /parameters exceed/,
    );
    assert.ok(performance.now() - started < 1000);
  });

  it('builds ResNet v1 for 28×28×1 images (pooling over the final 7×7 map) and an MLP for any shape', () => {
    const resnet = buildModel(normalizeModelSpec({ name: 'resnetV1', options: { depth: 8 } }, 't'), {
      inputShape: [28, 28, 1],
      numClasses: 10,
      seed: 1,
    });
    const net = buildModel(normalizeModelSpec({ name: 'mlp', options: { hidden: [16, 8] } }, 't'), {
      inputShape: [28, 28, 1],
      numClasses: 3,
      seed: 1,
    });
    const x = tf.randomNormal([2, 28, 28, 1]);
    const [a, b] = [resnet.predict(x) as tf.Tensor, net.predict(x) as tf.Tensor];
    assert.deepEqual(a.shape, [2, 10]);
    assert.deepEqual(b.shape, [2, 3]);
    // softmax outputs: rows sum to 1
    for (const row of b.arraySync() as number[][])
      assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-6);
    // 784·16 + 16 + 16·8 + 8 + 8·3 + 3 parameters
    assert.equal(net.countParams(), 784 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3);
    assert.equal(describeModel({ name: 'resnetV1', options: { depth: 8, numFilters: 16 } }), 'ResNet-8');
    assert.throws(
      () =>
        buildModel(
          { name: 'resnetV1', options: { depth: 8, numFilters: 16, weightDecay: 0 } },
          { inputShape: [20], numClasses: 2, seed: 0 },
        ),
      /resnetV1 needs images \[height, width, channels\].*use the mlp model/,
    );
    tf.dispose([x, a, b]);
    resnet.dispose();
    net.dispose();
  });

  it('equal seeds give equal MLP weights; a user model can be registered and named', () => {
    const one = mlp({ inputShape: [5], numClasses: 2, hidden: [4], seed: 7 });
    const two = mlp({ inputShape: [5], numClasses: 2, hidden: [4], seed: 7 });
    for (const [i, w] of one.getWeights().entries())
      assert.deepEqual(w.dataSync(), two.getWeights()[i]?.dataSync());
    one.dispose();
    two.dispose();
    const logistic: ModelDefinition = {
      name: 'logistic-test',
      summary: 'multinomial logistic regression',
      normalize: () => ({}),
      describe: () => 'logistic',
      build: (_options, context) =>
        mlp({
          inputShape: context.inputShape,
          numClasses: context.numClasses,
          hidden: [],
          seed: context.seed,
        }),
    };
    registerModel(logistic);
    registerModel(logistic);
    assert.throws(() => registerModel({ ...logistic }), /already registered/);
    const model = buildModel(
      { name: 'logistic-test', options: {} },
      { inputShape: [3], numClasses: 4, seed: 0 },
    );
    assert.equal(model.countParams(), 3 * 4 + 4);
    model.dispose();
    assert.equal(tf.memory().numTensors, 0);
  });
});
