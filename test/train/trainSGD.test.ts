import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import type { SplitDataset } from '../../src/data/dataset.js';
import { syntheticCifar10 } from '../../src/data/syntheticCifar10.js';
import { type ResNetV1Options, resnetV1 } from '../../src/models/resnetV1.js';
import { readCheckpointState } from '../../src/train/checkpoint.js';
import { crossEntropyFromLogits } from '../../src/train/crossEntropyLoss.js';
import { evaluateModel } from '../../src/train/evaluate.js';
import { NonFiniteLossError, type TrainSGDOptions, trainSGD } from '../../src/train/trainSGD.js';

// Tiny shapes on the deterministic cpu backend: 8×8 images, 2 filters, ResNet-8.
const arch: ResNetV1Options = { depth: 8, inputShape: [8, 8, 3], numFilters: 2 };
let data: SplitDataset;
let root: string;

before(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  data = syntheticCifar10({ n: 32, seed: 5, testN: 16, height: 8, width: 8 });
  root = mkdtempSync(join(tmpdir(), 'sgdf-train-'));
});
after(() => {
  tf.dispose([data.train.images, data.train.labels, data.test.images, data.test.labels]);
  rmSync(root, { recursive: true, force: true });
});

function weights(model: LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.originalName, Float32Array.from(w.read().dataSync())]));
}

const base: TrainSGDOptions = { lr: 0.05, batchSize: 8, quiet: true };

test('one step moves the dense bias by −δ·mean(softmax(z) − y) and adds the L2 gradient to the kernels', async () => {
  // One batch holding the whole set: batch-norm statistics do not depend on the order, so the logits of
  // the step are those of the whole set in training mode.
  const train = { ...data.train };
  const options: TrainSGDOptions = { lr: 0.5, batchSize: 32, epochs: 1, loss: 'crossEntropy', quiet: true };
  const a = resnetV1({ ...arch, seed: 1, outputActivation: 'linear', weightDecay: 1e-2 });
  const b = resnetV1({ ...arch, seed: 1, outputActivation: 'linear', weightDecay: 0 });
  const w0 = weights(a);
  const expectedBias = tf.tidy(() => {
    const z = a.apply(train.images, { training: true }) as tf.Tensor2D;
    const y = tf.cast(tf.oneHot(train.labels, 10), 'float32');
    return tf.sub(a.getLayer('dense').getWeights()[1]!, tf.mul(0.5, tf.mean(tf.sub(tf.softmax(z), y), 0)));
  });
  // That forward pass moved the moving statistics of `a`; put them back so that both runs start alike.
  for (const w of a.weights) w.write(tf.tensor(w0.get(w.originalName)!, w.shape as number[]));

  await trainSGD(a, train, options);
  await trainSGD(b, train, options);
  const wa = weights(a);
  const wb = weights(b);
  const bias = wa.get('dense/bias')!;
  for (const [i, e] of expectedBias.dataSync().entries())
    assert.ok(Math.abs(bias[i]! - e) < 1e-6, `bias ${i}: ${bias[i]} vs ${e}`);
  expectedBias.dispose();
  // The penalty λΣw² adds 2λw to the gradient: w_a − w_b = −δ·2λ·w₀ exactly (same data gradient).
  for (const name of ['stem_conv/kernel', 'stack3_block1_conv2/kernel', 'stack2_block1_shortcut/kernel']) {
    const w = w0.get(name)!;
    wa.get(name)!.forEach((x, i) => {
      const expected = -0.5 * 2 * 1e-2 * w[i]!;
      assert.ok(Math.abs(x - wb.get(name)![i]! - expected) < 1e-6 * Math.abs(w[i]!) + 1e-7, name);
    });
  }
  // Batch norm ran in training mode: the moving statistics moved away from their initial values.
  assert.ok(wa.get('stem_bn/moving_mean')!.some((x) => x !== 0));
  a.dispose();
  b.dispose();
});

test('resuming from a checkpoint ends with exactly the weights of an uninterrupted run; no tensor leaks', async () => {
  const options: TrainSGDOptions = { ...base, momentum: 0.9, augment: { padCrop: 1, flip: true }, seed: 3 };
  const counts: number[] = [];
  const straight = resnetV1({ ...arch, seed: 2 });
  const full = await trainSGD(straight, data, {
    ...options,
    epochs: 2,
    checkpointDir: join(root, 'straight'),
    onEpochEnd: () => {
      counts.push(tf.memory().numTensors);
    },
  });
  assert.equal(counts.length, 2);
  assert.equal(counts[1], counts[0], 'tensor count after epoch 2 equals that after epoch 1');

  const dir = join(root, 'resumed');
  const first = resnetV1({ ...arch, seed: 2 });
  await trainSGD(first, data, { ...options, epochs: 1, checkpointDir: dir });
  first.dispose();
  assert.equal(readCheckpointState(dir)?.epochsCompleted, 1);
  // A fresh model with other weights: everything must come from the checkpoint.
  const resumed = resnetV1({ ...arch, seed: 99 });
  const result = await trainSGD(resumed, data, { ...options, epochs: 2, checkpointDir: dir, resume: true });
  assert.equal(result.resumedFrom, 1);
  assert.deepEqual(weights(resumed), weights(straight));
  const strip = (h: typeof full.history) => h.map(({ seconds, trainSeconds, ...rest }) => rest);
  assert.deepEqual(strip(result.history), strip(full.history));
  assert.equal(result.history.length, 2);
  assert.ok(result.history[1]!.valLoss !== undefined, 'validated on the split test set by default');
  // Only the latest epoch's files remain.
  assert.deepEqual(readdirSync(dir).sort(), [
    'checkpoint.json',
    'epoch-0002.optimizer.safetensors',
    'epoch-0002.weights.safetensors',
  ]);
  // The validation figures of the last epoch are those of the final model.
  const v = await evaluateModel(resumed, data.test, { loss: 'kld' });
  assert.ok(Math.abs(v.loss - result.history[1]!.valLoss!) < 1e-6);
  assert.equal(v.accuracy, result.history[1]!.valAccuracy);

  await assert.rejects(
    trainSGD(resumed, data, { ...options, epochs: 3, checkpointDir: dir }),
    /already holds a checkpoint \(after epoch 2\); pass resume: true/,
  );
  await assert.rejects(
    trainSGD(resumed, data, { ...options, batchSize: 16, epochs: 3, checkpointDir: dir, resume: true }),
    /cannot resume from .*the settings differ \(batchSize: 8 in the checkpoint, 16 now\)/,
  );
  straight.dispose();
  resumed.dispose();
});

test('a non-finite loss stops with an error naming epoch and batch; the last good checkpoint stays', async () => {
  const dir = join(root, 'nan');
  let calls = 0;
  // Cross-entropy on the softmax outputs, poisoned on the 3rd batch of the 2nd epoch (4 batches per epoch).
  const loss = (y: tf.Tensor2D, p: tf.Tensor2D) =>
    tf.tidy(() => {
      calls++;
      const l = crossEntropyFromLogits(y, tf.log(p) as tf.Tensor2D);
      return calls === 7 ? (tf.mul(l, Number.NaN) as tf.Tensor1D) : l;
    });
  const model = resnetV1({ ...arch, seed: 4 });
  let error: unknown;
  let lastGood: Map<string, Float32Array> | undefined;
  try {
    await trainSGD(model, data.train, {
      ...base,
      epochs: 3,
      loss,
      checkpointDir: dir,
      onBatchEnd: () => {
        lastGood = weights(model);
      },
    });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof NonFiniteLossError, String(error));
  assert.equal(error.epoch, 1);
  assert.equal(error.batch, 2);
  assert.match(error.message, /non-finite loss NaN at epoch 2\/3, batch 3\/4/);
  assert.match(error.message, /the last good checkpoint \(after epoch 1\) is in/);
  assert.deepEqual(weights(model), lastGood, 'the poisoned update was not applied');
  assert.equal(readCheckpointState(dir)?.epochsCompleted, 1);
  assert.ok(existsSync(join(dir, 'epoch-0001.weights.safetensors')));
  model.dispose();
});

test('callbacks can stop training; bad options are refused', async () => {
  const model = resnetV1({ ...arch, seed: 6 });
  let batches = 0;
  const stopped = await trainSGD(model, data.train, {
    ...base,
    epochs: 3,
    onBatchEnd: (info) => {
      batches++;
      assert.equal(info.batches, 4);
      assert.equal(info.lr, 0.05);
      return !(info.epoch === 1 && info.batch === 1);
    },
  });
  assert.equal(stopped.stopped, true);
  assert.equal(stopped.history.length, 1);
  assert.equal(batches, 6);
  const byEpoch = await trainSGD(model, data.train, { ...base, epochs: 3, onEpochEnd: () => false });
  assert.equal(byEpoch.history.length, 1);
  assert.equal(byEpoch.history[0]!.examples, 32);

  await assert.rejects(
    trainSGD(model, data.train, { ...base, lr: 0 }),
    /options\.lr must be a positive number, got 0/,
  );
  await assert.rejects(
    trainSGD(model, data.train, { ...base, batchSize: 2.5 }),
    /options\.batchSize must be a positive integer/,
  );
  await assert.rejects(
    trainSGD(model, data.train, { ...base, momentum: 1 }),
    /options\.momentum must be in \[0, 1\)/,
  );
  await assert.rejects(
    trainSGD(model, data.train, { ...base, resume: true }),
    /resume needs options\.checkpointDir/,
  );
  const five = resnetV1({ ...arch, seed: 6, numClasses: 5 });
  await assert.rejects(
    trainSGD(five, data.train, base),
    /trainSGD: data.numClasses is 10 but the model has 5 output units/,
  );
  model.dispose();
  five.dispose();
});
