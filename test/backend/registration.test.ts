import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { registerSecondOrderGradients } from '../../src/backend/gradients/registerSecondOrderGradients.js';
import { initBackend } from '../../src/backend/initBackend.js';
import { registerWasmKernels } from '../../src/backend/kernels/registerWasmKernels.js';

// These are about this library's wasm kernels; the optional oneDNN kernels layered over them (and their
// registration) are tested in onednnKernels.test.ts. initBackend reads this when it first loads the addon.
process.env['SGD_FACTORS_ONEDNN'] = '0';

test('registerSecondOrderGradients installs the missing and replacement gradients, idempotently', () => {
  registerSecondOrderGradients();
  registerSecondOrderGradients();
  for (const name of ['Conv2DBackpropFilter', 'AvgPoolGrad', 'LessEqual', 'LogicalAnd', 'Equal']) {
    assert.ok(tf.getGradient(name), `no gradient for ${name}`);
  }
  // The replacements read inputs, not saved outputs (see Softmax_grad.ts).
  assert.deepEqual(tf.getGradient('Softmax')?.inputsToSave, ['logits']);
  assert.equal(tf.getGradient('Softmax')?.outputsToSave, undefined);
  assert.deepEqual(tf.getGradient('Exp')?.inputsToSave, ['x']);
});

test('registerWasmKernels installs both kernels and re-installs them if something replaced them', async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  const filterKernel = tf.getKernel('Conv2DBackpropFilter', 'wasm');
  const inputKernel = tf.getKernel('Conv2DBackpropInput', 'wasm');
  assert.ok(filterKernel, 'no wasm Conv2DBackpropFilter');
  assert.ok(inputKernel);
  registerWasmKernels();
  assert.equal(
    tf.getKernel('Conv2DBackpropInput', 'wasm'),
    inputKernel,
    'a second call must not re-register',
  );
  // Simulate another module registering a different kernel under the same name after us.
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({ ...inputKernel, kernelFunc: inputKernel.kernelFunc });
  assert.notEqual(tf.getKernel('Conv2DBackpropInput', 'wasm'), inputKernel);
  registerWasmKernels();
  assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm'), inputKernel);
});
