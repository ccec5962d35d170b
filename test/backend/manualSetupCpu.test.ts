// Its own file, so that it runs in a fresh process: no other test has called initBackend or registered
// anything. tfjs is set up the way a tfjs user does it, without this library's initBackend.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { manualSetupHessianErrors } from './manualSetupHessian.js';

test('cpu set up by hand: hessianOperator gives the exact Hessian of a small conv net (1e-5 vs float64)', async () => {
  assert.ok(await tf.setBackend('cpu'));
  await tf.ready();
  // Nothing of the library is in force yet: the test would show the failure it guards against.
  assert.equal(tf.getGradient('LogicalAnd'), undefined);
  assert.notEqual(tf.getGradient('Softmax')?.outputsToSave, undefined);
  const errors = await manualSetupHessianErrors();
  // float32 double backprop against float64: a few float32 ulps times the sums' sizes, about 1e-6.
  assert.ok(errors.kld < 1e-5, `named loss 'kld': relative error ${errors.kld}`);
  assert.ok(errors.custom < 1e-5, `custom loss: relative error ${errors.custom}`);
});
