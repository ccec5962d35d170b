import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/backend/initBackend.js';
import { syntheticCifar10 } from '../../../src/data/syntheticCifar10.js';
import { type MinimumMeasurement, measureMinimum } from '../../../src/experiments/measureMinimum.js';
import { loadWeights, saveWeights } from '../../../src/io/weights.js';
import { resnetV1 } from '../../../src/models/resnetV1.js';

// measureMinimum's and `sgd-factors measure`'s `workers`: the same numbers whatever the number of workers.
const architecture = {
  kind: 'resnetV1' as const,
  depth: 8,
  inputShape: [32, 32, 3] as [number, number, number],
  numClasses: 10,
  numFilters: 4,
  weightDecay: 1e-4,
  seed: 4,
  outputActivation: 'softmax' as const,
};
const N = 8;

describe('measure with workers', () => {
  let root: string;
  let weights: string;

  before(async () => {
    await initBackend({ quiet: true });
    root = mkdtempSync(join(tmpdir(), 'sgdf-parallel-measure-'));
    const run = join(root, 'run');
    mkdirSync(run);
    weights = join(run, 'weights.safetensors');
    const { kind: _kind, ...options } = architecture;
    const model = resnetV1(options);
    await saveWeights(model, weights);
    model.dispose();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('sgd-factors measure --workers 2 prints what measureMinimum computes in one thread', async () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/helpers/cli.ts',
        'measure',
        '--weights',
        weights,
        '--synthetic',
        String(N),
        '--data-seed',
        '6',
        '--depth',
        '8',
        '--width',
        '4',
        '--limit',
        String(N),
        '--probes',
        '4',
        '--sigma-h-probes',
        '2',
        '--batch-size',
        '4',
        '--workers',
        '2',
        '--json',
        '--quiet',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as MinimumMeasurement;

    const { kind: _kind, ...options } = architecture;
    const model = resnetV1(options);
    await loadWeights(model, weights);
    const split = syntheticCifar10({ n: N, seed: 6, testN: 1 });
    const measured = await measureMinimum(model, split.train, {
      loss: 'kld',
      probes: 4,
      sigmaHProbes: 2,
      batchSize: 4,
      seed: 0,
    });
    model.dispose();
    tf.dispose([split.train.images, split.train.labels, split.test.images, split.test.labels]);

    // JSON round-trips doubles exactly, so equality here is equality of the bits.
    assert.deepEqual(printed.traceH, measured.traceH);
    assert.deepEqual(printed.magnitudeDifference, measured.magnitudeDifference);
    assert.deepEqual(printed.traceSigma, measured.traceSigma);
    assert.deepEqual(printed.settings.streamSeeds, measured.settings.streamSeeds);
  });

  test('workers > 1 is refused where it cannot apply', async () => {
    const { kind: _kind, ...options } = architecture;
    const model = resnetV1(options);
    const split = syntheticCifar10({ n: 2, seed: 1, testN: 1 });
    const data = split.train;
    await assert.rejects(
      measureMinimum(model, data, { estimator: 'hutchpp', workers: 2 }),
      /options.workers > 1 applies to the 'hutchinson' estimator only/,
    );
    await assert.rejects(
      measureMinimum(model, data, { loss: () => tf.zeros([2]) as tf.Tensor1D, workers: 2 }),
      /needs a named loss/,
    );
    await assert.rejects(
      measureMinimum(model, data, { workers: 0 }),
      /options.workers must be an integer ≥ 1/,
    );
    model.dispose();
    tf.dispose([data.images, data.labels, split.test.images, split.test.labels]);
  });
});
