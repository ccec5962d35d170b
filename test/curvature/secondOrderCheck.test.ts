import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import { hessianOperator } from '../../src/curvature/hessianOperator.js';
import {
  secondOrderCorrect,
  secondOrderOpsOf,
  warnIfSecondOrderDefective,
} from '../../src/curvature/secondOrderCheck.js';
import { trainingObjective } from '../../src/curvature/trainingObjective.js';
import { resolveLoss } from '../../src/train/losses.js';
import { regressionProblem } from './regressionFixtures.js';

before(async () => {
  await initBackend({ quiet: true });
});

test('secondOrderOpsOf finds softmax/tanh/sigmoid layers and the softmax a loss applies to logits', () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 3, inputShape: [2], activation: 'tanh' }),
      tfl.layers.dense({ units: 3, activation: 'relu' }),
      tfl.layers.dense({ units: 3 }),
    ],
  });
  const data = {
    images: tf.zeros([2, 1, 1, 2]) as tf.Tensor4D,
    labels: tf.tensor1d([0, 1], 'int32'),
    numClasses: 3,
  };
  try {
    const ops = (loss: 'kld' | 'crossEntropy' | 'squaredError') =>
      secondOrderOpsOf(model, trainingObjective(model, data, { loss }).loss).sort();
    assert.deepEqual(ops('kld'), ['Softmax', 'Tanh']);
    assert.deepEqual(ops('squaredError'), ['Softmax', 'Tanh']);
    assert.deepEqual(ops('crossEntropy'), ['Tanh']);
  } finally {
    tf.dispose([data.images, data.labels]);
    model.dispose();
  }
});

test('Tanh and Sigmoid probes pass once their gradients recompute the output from the input', () => {
  const tanh = tf.getGradient('Tanh')!;
  const sigmoid = tf.getGradient('Sigmoid')!;
  try {
    tf.registerGradient({
      kernelName: 'Tanh',
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => ({
        x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(saved[0]!)))),
      }),
    });
    tf.registerGradient({
      kernelName: 'Sigmoid',
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => {
        const y = tf.sigmoid(saved[0]!);
        return { x: () => tf.mul(dy as tf.Tensor, tf.mul(y, tf.sub(1, y))) };
      },
    });
    assert.equal(secondOrderCorrect('Tanh'), true);
    assert.equal(secondOrderCorrect('Sigmoid'), true);
  } finally {
    tf.registerGradient(tanh);
    tf.registerGradient(sigmoid);
  }
  // With tfjs's own output-saving gradients (unless the library has replaced them), the probe fails.
  if (tf.getGradient('Tanh')?.outputsToSave?.[0]) assert.equal(secondOrderCorrect('Tanh'), false);
});

test('the probe tells an output-saving Softmax gradient from a recomputing one, and hessianOperator warns', async () => {
  const original = tf.getGradient('Softmax')!;
  const gradient = (y: tf.Tensor, dy: tf.Tensor, dim: number) => {
    const dyTimesY = tf.mul(dy, y);
    return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
  };
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  const p = regressionProblem('softmax', { n: 4, seed: 1 });
  try {
    // tfjs 4.22's own form: reuses the saved output.
    tf.registerGradient({
      kernelName: 'Softmax',
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => ({
        logits: () => gradient(saved[0]!, dy as tf.Tensor, (attrs as { dim: number }).dim),
      }),
    });
    assert.equal(secondOrderCorrect('Softmax'), false);
    warnIfSecondOrderDefective(p.model, resolveLoss('kld', 'probabilities'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(
      warnings.some(
        (w) => (w as { code?: string }).code === 'SGD_FACTORS_SECOND_ORDER' && /Softmax/.test(w.message),
      ),
    );
    // Recomputing the output from the saved input keeps the tape in order.
    tf.registerGradient({
      kernelName: 'Softmax',
      inputsToSave: ['logits'],
      gradFunc: (dy, saved, attrs) => {
        const dim = (attrs as { dim: number }).dim;
        return { logits: () => gradient(tf.softmax(saved[0]!, dim), dy as tf.Tensor, dim) };
      },
    });
    assert.equal(secondOrderCorrect('Softmax'), true);
    // Whatever was registered, the library puts its corrected gradient back before differentiating.
    tf.registerGradient({
      kernelName: 'Softmax',
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => ({
        logits: () => gradient(saved[0]!, dy as tf.Tensor, (attrs as { dim: number }).dim),
      }),
    });
    assert.equal(secondOrderCorrect('Softmax'), false);
    hessianOperator(p.model, p.data, { loss: 'kld' });
    assert.equal(secondOrderCorrect('Softmax'), true);
  } finally {
    tf.registerGradient(original);
    process.off('warning', onWarning);
    p.dispose();
  }
});
