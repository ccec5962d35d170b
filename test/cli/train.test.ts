import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { dataSpecShape } from '../../src/data/sources/index.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { loadWeights } from '../../src/io/weights.js';
import { buildModel } from '../../src/models/modelRegistry.js';
import { readRunConfig, readRunHistory } from '../../src/run/runDirectory.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'sgdf-cli-train-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/cli.ts', 'train', ...args], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: join(root, 'cache') },
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
  for (const f of ['config.json', 'history.json', 'weights.safetensors', 'checkpoint/checkpoint.json'])
    assert.ok(existsSync(join(out, f)), f);

  const config = readRunConfig(out);
  assert.ok(config);
  const { spec } = config;
  assert.deepEqual(spec.model, {
    name: 'resnetV1',
    options: { depth: 8, numFilters: 16, weightDecay: 1e-4 },
  });
  assert.equal(spec.data.name, 'synthetic');
  assert.deepEqual(spec.data.params, {
    n: 48,
    testN: 10,
    seed: 0,
    height: 32,
    width: 32,
    channels: 3,
    numClasses: 10,
    noise: 1,
  });
  assert.equal(spec.training.learningRate, 0.05);
  assert.equal(spec.training.batchSize, 16);
  assert.equal(spec.training.seed, 3);
  assert.equal(spec.training.loss, 'kld');
  assert.deepEqual(
    spec.training.schedule,
    { boundaries: [], factor: 0.1 },
    'the paper drops lie past 1 epoch',
  );
  const history = readRunHistory(out);
  assert.equal(history.length, 1);
  assert.equal(history[0]!.examples, 48);
  assert.ok(Number.isFinite(history[0]!.valLoss));
  assert.deepEqual(
    JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')).epochs,
    history,
    'one layout: { epochs }',
  );

  // The model rebuilt from config.json takes the saved weights, which are the checkpoint's.
  await initBackend({ quiet: true });
  const shape = dataSpecShape(spec.data);
  const model = buildModel(spec.model, {
    inputShape: shape.inputShape,
    numClasses: shape.numClasses,
    seed: 0,
  });
  await loadWeights(model, join(out, 'weights.safetensors'));
  const checkpoint = decodeSafetensors(
    readFileSync(join(out, 'checkpoint', 'epoch-0001.weights.safetensors')),
  );
  for (const w of model.weights)
    assert.deepEqual(Float32Array.from(w.read().dataSync()), checkpoint.tensors.get(w.originalName)?.data);
  model.dispose();
  assert.equal(tf.memory().numTensors, 0);

  const again = cli(...common, '--epochs', '2', '--quiet');
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already holds a run \(1 epoch done\); resume it/);
  const changed = cli(...common, '--epochs', '2', '--resume', '--momentum', '0.5', '--quiet');
  assert.equal(changed.status, 1);
  assert.match(changed.stderr, /holds a different run \(training\.momentum: 0 before, 0\.5 now\)/);
  const resumed = cli(...common, '--epochs', '2', '--resume');
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /epoch 2\/2/);
  assert.doesNotMatch(resumed.stderr, /epoch 1\/2/);
  const longer = readRunHistory(out);
  assert.equal(longer.length, 2);
  assert.deepEqual(longer[0], history[0]);
});

test('train refuses bad command lines with usage errors', () => {
  const bad = cli('--synthetic', '8', '--depth', '10', '--out', join(root, 'bad'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /field 'depth' must be of the form 6n\+2 .*got 10/);
  const noData = cli('--depth', '8', '--out', join(root, 'bad'));
  assert.equal(noData.status, 2);
  assert.match(
    noData.stderr,
    /cifar10: no files given and none in the cache .*; give --data DIR or --download/,
  );
  const hidden = cli('--synthetic', '8', '--hidden', '32', '--out', join(root, 'bad'));
  assert.equal(hidden.status, 2);
  assert.match(hidden.stderr, /--hidden does not apply to --model resnetV1/);
  const loss = cli('--synthetic', '8', '--loss', 'mse', '--out', join(root, 'bad'));
  assert.equal(loss.status, 2);
  assert.match(loss.stderr, /--loss must be one of kld, crossEntropy, squaredError, got 'mse'/);
  assert.ok(!existsSync(join(root, 'bad')));
});

test('train --track-every records curvature in history.json with progress lines; a resumed run keeps it', () => {
  const out = join(root, 'tracked');
  const common = [
    '--synthetic',
    '32',
    '--model',
    'mlp',
    '--hidden',
    '8',
    '--batch-size',
    '16',
    '--lr',
    '0.05',
    '--out',
    out,
    '--track-every',
    '1',
    '--track',
    'traceH,topEigenvalue',
    '--track-examples',
    '8',
    '--track-probes',
    '2',
  ];
  const first = cli(...common, '--epochs', '2');
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /^curvature 1\/2 .*Tr H [-\d.e]+ ± [\d.e-]+, λ_max [-\d.e]+ \(2\/δ 40\)/m);
  assert.match(first.stderr, /^curvature 2\/2 /m);
  const history = readRunHistory(out);
  assert.equal(history.length, 2);
  for (const e of history) {
    assert.equal(e.curvature?.examples, 8);
    assert.equal(e.curvature?.traceH?.matvecs, 2);
    assert.equal(e.curvature?.traceSigma, undefined);
    assert.ok(Number.isFinite(e.curvature?.topEigenvalue?.value));
  }
  assert.deepEqual(readRunConfig(out)?.spec.tracking, {
    every: 1,
    quantities: ['traceH', 'topEigenvalue'],
    examples: 8,
    probes: 2,
    eigenMatvecs: 20,
    batchSize: 64,
  });
  const resumed = cli(...common, '--epochs', '3', '--resume', '--quiet');
  assert.equal(resumed.status, 0, resumed.stderr);
  const longer = readRunHistory(out);
  assert.equal(longer.length, 3);
  assert.deepEqual(longer.slice(0, 2), history);
  assert.ok(longer[2]!.curvature?.traceH);

  const stray = cli(...common.slice(0, 10), '--out', join(root, 'stray'), '--track-probes', '3', '--quiet');
  assert.equal(stray.status, 2);
  assert.match(stray.stderr, /--track-probes needs --track-every K/);
  const unknown = cli(
    ...common.slice(0, 12),
    '--out',
    join(root, 'x'),
    '--track-every',
    '1',
    '--track',
    'traceh',
  );
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /--track must be one of traceH, traceSigma, topEigenvalue, got 'traceh'/);
});
