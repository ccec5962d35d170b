import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { loadWeights } from '../../src/io/weights.js';
import type { EpochRecord } from '../../src/train/history.js';
import { modelFromRunConfig, readRunConfig } from '../../src/train/runConfig.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'sgdf-cli-train-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/cli.ts', 'train', ...args], {
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('train --synthetic on ResNet-8 for 1 epoch writes config, history, checkpoints and weights; --resume continues', async () => {
  const out = join(root, 'run');
  const common = [
    '--synthetic',
    '48',
    '--depth',
    '8',
    '--batch-size',
    '16',
    '--lr',
    '0.05',
    '--seed',
    '3',
    '--out',
    out,
  ];
  const first = cli(...common, '--epochs', '1', '--quiet');
  assert.equal(first.status, 0, first.stderr);
  for (const f of ['config.json', 'history.json', 'weights.safetensors', 'checkpoints/checkpoint.json'])
    assert.ok(existsSync(join(out, f)), f);

  const config = readRunConfig(out);
  assert.deepEqual(config.model, {
    kind: 'resnetV1',
    depth: 8,
    inputShape: [32, 32, 3],
    numClasses: 10,
    numFilters: 16,
    weightDecay: 1e-4,
    seed: 3,
    outputActivation: 'softmax',
  });
  assert.deepEqual(config.data, { kind: 'synthetic', n: 48, testN: 10, seed: 0 });
  assert.equal(config.training.lr, 0.05);
  assert.equal(config.training.batchSize, 16);
  assert.equal(config.training.loss, 'kld');
  assert.deepEqual(config.training.schedule, { type: 'stepDecay', boundaries: [60, 100], factor: 0.1 });
  const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as EpochRecord[];
  assert.equal(history.length, 1);
  assert.equal(history[0]!.examples, 48);
  assert.ok(Number.isFinite(history[0]!.valLoss));

  // The model rebuilt from config.json takes the saved weights, which are the checkpoint's.
  await initBackend({ quiet: true });
  const model = modelFromRunConfig(config);
  await loadWeights(model, join(out, 'weights.safetensors'));
  const checkpoint = decodeSafetensors(
    readFileSync(join(out, 'checkpoints', 'epoch-0001.weights.safetensors')),
  );
  for (const w of model.weights)
    assert.deepEqual(Float32Array.from(w.read().dataSync()), checkpoint.tensors.get(w.originalName)?.data);
  model.dispose();
  assert.equal(tf.memory().numTensors, 0);

  const again = cli(...common, '--epochs', '2', '--quiet');
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already holds a run \(1 epochs done\); pass --resume/);
  const changed = cli(...common, '--epochs', '2', '--resume', '--momentum', '0.5', '--quiet');
  assert.equal(changed.status, 1);
  assert.match(changed.stderr, /cannot resume .*training\.momentum: 0 before, 0\.5 now/);
  const resumed = cli(...common, '--epochs', '2', '--resume');
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /epoch 2\/2/);
  assert.doesNotMatch(resumed.stderr, /epoch 1\/2/);
  const longer = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as EpochRecord[];
  assert.equal(longer.length, 2);
  assert.deepEqual(longer[0], history[0]);
});

test('train refuses bad command lines with usage errors', () => {
  const bad = cli('--synthetic', '8', '--depth', '10', '--out', join(root, 'bad'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--depth: depth should be 6n\+2 .*got 10/);
  const noData = cli('--depth', '8', '--out', join(root, 'bad'));
  assert.equal(noData.status, 2);
  assert.match(noData.stderr, /give one of --data DIR, --download or --synthetic N/);
  const loss = cli('--synthetic', '8', '--loss', 'mse', '--out', join(root, 'bad'));
  assert.equal(loss.status, 2);
  assert.match(loss.stderr, /--loss must be one of kld, crossEntropy, squaredError, got 'mse'/);
  assert.ok(!existsSync(join(root, 'bad')));
});
