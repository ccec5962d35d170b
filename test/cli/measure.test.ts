import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { syntheticCifar10 } from '../../src/data/syntheticCifar10.js';
import { type MinimumMeasurement, measureMinimum } from '../../src/experiments/measureMinimum.js';
import { saveWeights } from '../../src/io/weights.js';
import { resnetV1 } from '../../src/models/resnetV1.js';
import type { TrainRunConfig } from '../../src/train/runConfig.js';

let root: string;
let run: string;
const model8 = {
  kind: 'resnetV1' as const,
  depth: 8,
  inputShape: [32, 32, 3] as [number, number, number],
  numClasses: 10,
  numFilters: 16,
  weightDecay: 1e-4,
  seed: 4,
  outputActivation: 'softmax' as const,
};

before(async () => {
  await initBackend({ quiet: true });
  root = mkdtempSync(join(tmpdir(), 'sgdf-cli-measure-'));
  run = join(root, 'run');
  mkdirSync(run);
  const { kind: _kind, ...options } = model8;
  const model = resnetV1(options);
  await saveWeights(model, join(run, 'weights.safetensors'));
  model.dispose();
  const config: TrainRunConfig = {
    format: 'sgd-factors-train-run',
    version: 1,
    model: model8,
    data: { kind: 'synthetic', n: 40, testN: 8, seed: 6 },
    training: {
      lr: 0.1,
      batchSize: 8,
      epochs: 1,
      momentum: 0,
      loss: 'squaredError',
      seed: 5,
      schedule: { type: 'stepDecay', boundaries: [], factor: 0.1 },
      replacement: false,
      augment: null,
    },
    backend: 'auto',
    files: { weights: 'weights.safetensors', history: 'history.json', checkpoints: 'checkpoints' },
  };
  writeFileSync(join(run, 'config.json'), JSON.stringify(config));
});
after(() => rmSync(root, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/cli.ts', 'measure', ...args], {
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('measure --json: one JSON line, defaults from config.json, the same numbers as measureMinimum', async () => {
  const r = cli(
    '--weights',
    join(run, 'weights.safetensors'),
    '--limit',
    '8',
    '--probes',
    '3',
    '--sigma-h-probes',
    '2',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const m = JSON.parse(lines[0]!) as MinimumMeasurement & {
    settings: { depth: number; data: unknown; weights: string };
  };
  for (const key of [
    'traceH',
    'traceSigma',
    'traceSigmaH',
    'gradNormSq',
    'loss',
    'magnitudeDifference',
  ] as const) {
    assert.equal(typeof m[key].estimate, 'number', key);
    assert.equal(typeof m[key].standardError, 'number', key);
  }
  assert.equal(m.settings.depth, 8);
  assert.equal(m.settings.loss, 'squaredError');
  assert.equal(m.settings.seed, 5);
  assert.equal(m.settings.examples, 8);
  assert.deepEqual(m.settings.data, { kind: 'synthetic', n: 40, seed: 6, limit: 8 });
  // Non-TTY progress: plain lines on stderr, one stage after the other.
  assert.match(r.stderr, /^traceH 3\/3 100%/m);
  assert.match(r.stderr, /^traceSigma 8\/8 100%/m);

  // The library on the same weights and images (the first 8 of the run's 40) gives the same numbers.
  const { kind: _kind, ...options } = model8;
  const model = resnetV1(options);
  const { loadWeights } = await import('../../src/io/weights.js');
  await loadWeights(model, join(run, 'weights.safetensors'));
  const split = syntheticCifar10({ n: 40, seed: 6, testN: 1 });
  const data = {
    images: tf.slice(split.train.images, [0, 0, 0, 0], [8, -1, -1, -1]),
    labels: tf.slice(split.train.labels, [0], [8]),
    numClasses: 10,
  };
  try {
    const direct = await measureMinimum(model, data, {
      loss: 'squaredError',
      probes: 3,
      sigmaHProbes: 2,
      seed: 5,
    });
    for (const key of ['traceH', 'traceSigma', 'traceSigmaH', 'gradNormSq', 'loss'] as const) {
      assert.ok(
        Math.abs(direct[key].estimate - m[key].estimate) <= 1e-9 * Math.abs(direct[key].estimate),
        key,
      );
    }
  } finally {
    tf.dispose([
      split.train.images,
      split.train.labels,
      split.test.images,
      split.test.labels,
      data.images,
      data.labels,
    ]);
    model.dispose();
  }
});

test('measure prints a readable table; flags override the run; bad command lines are usage errors', () => {
  const r = cli(
    '--weights',
    join(run, 'weights.safetensors'),
    '--synthetic',
    '12',
    '--data-seed',
    '2',
    '--limit',
    '6',
    '--loss',
    'kld',
    '--noise',
    'minibatch',
    '--minibatch-size',
    '3',
    '--minibatches',
    '4',
    '--sigma-h-probes',
    '2',
    '--probes',
    '4',
    '--estimator',
    'hutchpp',
    '--quiet',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^quantity +estimate +std\. error +samples +matvecs +examples$/m);
  assert.match(r.stdout, /^Tr H \/ tr σ² +\S+ +\S+ +2 +4 +12$/m);
  assert.match(r.stdout, /^tr σ² +\S+ +\S+ +4 +0 +12$/m);
  assert.match(
    r.stdout,
    /6 examples, 78,186 parameters, loss kld, .*Tr H by hutchpp \(4 matvecs\), tr σ² by minibatch/,
  );

  const usage = (args: string[], pattern: RegExp) => {
    const u = cli(...args);
    assert.equal(u.status, 2, u.stderr);
    assert.match(u.stderr, pattern);
  };
  usage([], /--weights FILE is required/);
  usage(
    ['--weights', join(run, 'weights.safetensors'), '--estimator', 'slq'],
    /--estimator must be one of hutchinson, hutchpp, xtrace/,
  );
  usage(['--weights', join(root, 'missing.safetensors')], /--weights: no file/);
  usage(['--weights', join(run, 'weights.safetensors'), '--data', root, '--synthetic', '4'], /not both/);
});
