import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { syntheticDataSource } from '../../src/data/sources/index.js';
import { syntheticCifar10 } from '../../src/data/syntheticCifar10.js';
import { type MinimumMeasurement, measureMinimum } from '../../src/experiments/measureMinimum.js';
import { saveWeights } from '../../src/io/weights.js';
import { normalizeModelSpec } from '../../src/models/modelRegistry.js';
import { resnetV1 } from '../../src/models/resnetV1.js';
import { normalizeMeasurementSpec, normalizeTrainingSpec } from '../../src/run/normalizeSpec.js';
import { readRunConfig, readRunResult, writeRunConfig, writeRunHistory } from '../../src/run/runDirectory.js';
import type { RunSpec } from '../../src/run/runSpec.js';
import type { EpochRecord } from '../../src/train/history.js';

let root: string;
let run: string;

const spec: RunSpec = {
  data: {
    name: 'synthetic',
    dir: null,
    trainSize: null,
    testSize: null,
    params: syntheticDataSource.normalize({ n: 40, testN: 8, seed: 6 }, 'test'),
  },
  model: normalizeModelSpec({ name: 'resnetV1', options: { depth: 8 } }, 'test'),
  training: normalizeTrainingSpec(
    { loss: 'squaredError', learningRate: 0.1, batchSize: 8, epochs: 1, seed: 5 },
    'test',
  ),
  measurement: normalizeMeasurementSpec({ examples: 40 }, 'test'),
};
const epoch: EpochRecord = {
  epoch: 0,
  lr: 0.1,
  loss: 1,
  regularization: 0,
  accuracy: 0.5,
  examples: 40,
  trainSeconds: 1,
  seconds: 1,
};

before(async () => {
  await initBackend({ quiet: true });
  root = mkdtempSync(join(tmpdir(), 'sgdf-cli-measure-'));
  run = join(root, 'run');
  mkdirSync(run);
  const model = resnetV1({ depth: 8, seed: 4 });
  await saveWeights(model, join(run, 'weights.safetensors'));
  await saveWeights(model, join(root, 'bare.safetensors'));
  model.dispose();
  writeRunConfig(run, 'run', spec);
  writeRunHistory(run, [epoch]);
});
after(() => rmSync(root, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/cli.ts', 'measure', ...args], {
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('measure RUN --json: one JSON line, settings from config.json, result.json written, the same numbers as measureMinimum', async () => {
  const r = cli(run, '--limit', '8', '--probes', '3', '--sigma-h-probes', '2', '--json');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const m = JSON.parse(lines[0]!) as MinimumMeasurement & { settings: { weights: string } };
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
  assert.equal(m.settings.loss, 'squaredError');
  assert.equal(m.settings.seed, 5);
  assert.equal(m.settings.examples, 8);
  assert.equal(m.settings.weights, join(run, 'weights.safetensors'));
  // The run directory gains result.json, and its config.json the measurement settings used.
  const record = readRunResult(run);
  assert.ok(record);
  assert.equal(record.id, 'run');
  assert.deepEqual(record.measurement.traceH, m.traceH);
  assert.deepEqual(record.final, epoch);
  assert.equal(readRunConfig(run)?.spec.measurement.examples, 8);
  assert.equal(readRunConfig(run)?.spec.measurement.probes, 3);
  // Non-TTY progress: plain lines on stderr, one stage after the other.
  assert.match(r.stderr, /^traceH 3\/3 100%/m);
  assert.match(r.stderr, /^traceSigma 8\/8 100%/m);

  // The library on the same weights and images (the first 8 of the run's 40) gives the same numbers.
  const model = resnetV1({ depth: 8, seed: 0 });
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
      batchSize: 8,
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

test('measure --dry-run plans the cost from the run and writes nothing', () => {
  const before = readRunConfig(run)?.spec.measurement;
  const r = cli(
    run,
    '--dry-run',
    '--limit',
    '8',
    '--probes',
    '3',
    '--sigma-h-probes',
    '2',
    '--batch-size',
    '4',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as {
    examples: number;
    chunk: { size: number; count: number };
    matvecs: number;
    gradientPasses: number;
    forwardPasses: number;
    seconds: { estimate: number };
  };
  assert.equal(plan.examples, 8);
  assert.deepEqual(plan.chunk, { size: 4, count: 2 });
  assert.equal(plan.matvecs, 3 + 2);
  assert.equal(plan.gradientPasses, 3, 'f and ∇f, and the batched tr σ² pass (≈ 2 gradients)');
  assert.equal(plan.forwardPasses, 3, 'batch-norm statistics recomputed, and the two accuracy passes');
  assert.ok(plan.seconds.estimate > 0);
  assert.deepEqual(readRunConfig(run)?.spec.measurement, before, 'config.json untouched');
});

test('measure of bare weights prints a readable table; bad command lines are usage errors', () => {
  const r = cli(
    '--weights',
    join(root, 'bare.safetensors'),
    '--depth',
    '8',
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
    /6 examples, 78,186 trainable parameters, loss kld, .*Tr H by hutchpp \(4 matvecs\), tr σ² by minibatch/,
  );

  const usage = (args: string[], pattern: RegExp) => {
    const u = cli(...args);
    assert.equal(u.status, 2, u.stderr);
    assert.match(u.stderr, pattern);
  };
  usage([], /give a run directory \(made by sgd-factors train\) or --weights FILE/);
  usage([run, '--estimator', 'slq'], /--estimator must be one of hutchinson, hutchpp, xtrace/);
  usage(['--weights', join(root, 'missing.safetensors')], /--weights .*missing.safetensors does not exist/);
  usage(['--weights', root], /--weights .* is a directory; give the .safetensors file/);
  usage([run, '--hidden', '8'], /config.json says the model; model flags apply to bare --weights only/);
  usage(['--weights', join(root, 'bare.safetensors')], /no config.json beside .*: give the data flags/);
  usage(
    ['--weights', join(root, 'bare.safetensors'), '--data', root, '--synthetic', '4'],
    /--dataset synthetic is generated: give --synthetic N, not --data or --download/,
  );
});
