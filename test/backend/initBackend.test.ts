import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { activeBackend, initBackend } from '../../src/backend/initBackend.js';
import { loadOnednnAddon } from '../../src/backend/kernels/onednn/onednnAddon.js';

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

const announce = (env: Record<string, string>) =>
  spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      "const { initBackend } = await import('./src/backend/initBackend.ts'); console.log(JSON.stringify(await initBackend()));",
    ],
    { encoding: 'utf8', env: { ...process.env, ...env } },
  );

test('initBackend reports the oneDNN convolutions on wasm: active with its threads, or why not', async () => {
  const info = await initBackend({ backend: 'wasm', quiet: true, threads: 3 });
  const load = loadOnednnAddon();
  if (load.ok) assert.deepEqual(info.onednn, { active: true, library: load.description, threads: 3 });
  else assert.deepEqual(info.onednn, { active: false, why: load.why });
  const cpu = await initBackend({ backend: 'cpu', quiet: true });
  assert.equal(cpu.onednn, undefined);
  await assert.rejects(initBackend({ backend: 'wasm', quiet: true, threads: 0 }), /options\.threads.*0/);
});

test('SGD_FACTORS_ONEDNN=0 switches the oneDNN kernels off and the announcement says so', () => {
  const run = announce({ SGD_FACTORS_ONEDNN: '0', SGD_FACTORS_THREADS: '' });
  assert.equal(run.status, 0, run.stderr);
  const info = JSON.parse(run.stdout.trim().split('\n').pop()!);
  assert.deepEqual(info.onednn, { active: false, why: 'oneDNN kernels switched off (SGD_FACTORS_ONEDNN=0)' });
  assert.match(run.stderr, /sgd-factors: backend wasm \(.*SGD_FACTORS_ONEDNN=0\)/);
});

test('with the addon, the announcement says wasm+onednn and SGD_FACTORS_THREADS sets its threads', {
  skip: loadOnednnAddon().ok ? false : 'oneDNN addon unavailable',
}, () => {
  const run = announce({ SGD_FACTORS_THREADS: '2' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout.trim().split('\n').pop()!).onednn.threads, 2);
  assert.match(run.stderr, /sgd-factors: backend wasm\+onednn \(oneDNN 2\.\d+\.\d+, \w+, 2 threads; /);
  const bad = announce({ SGD_FACTORS_THREADS: 'many' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /SGD_FACTORS_THREADS must be a positive integer, got 'many'/);
});
