import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { activeBackend, initBackend } from '../../src/backend/initBackend.js';

test('initBackend picks wasm on a machine without tfjs-node and says why', async () => {
  const info = await initBackend({ quiet: true });
  assert.equal(info.backend, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.match(info.reason, /tfjs-node-gpu not installed/);
  assert.match(info.reason, /tfjs-node not installed/);
  assert.deepEqual(activeBackend(), info);
});

test('initBackend can be forced to cpu and back', async () => {
  const cpu = await initBackend({ backend: 'cpu', quiet: true });
  assert.equal(cpu.backend, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  const wasm = await initBackend({ backend: 'wasm', quiet: true });
  assert.equal(wasm.backend, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
});

test('forcing tensorflow without tfjs-node is an error that says why', async () => {
  await assert.rejects(
    initBackend({ backend: 'tensorflow', quiet: true }),
    /tensorflow' was forced.*not installed/,
  );
});

test('an unknown forced backend names the option', async () => {
  // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
  await assert.rejects(initBackend({ backend: 'webgl' as any, quiet: true }), /options\.backend.*webgl/);
});

test('gradients are registered whatever was imported first', async () => {
  await initBackend({ quiet: true });
  assert.ok(tf.getGradient('Sum'));
  assert.ok(tf.getGradient('Conv2D'));
});

test('the CLI prints the backend and the reason', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/helpers/cli.ts', 'backend'], {
    encoding: 'utf8',
  });
  assert.match(out, /^wasm\n/);
  assert.match(out, /reason: +tfjs-node-gpu not installed; tfjs-node not installed/);
});
