import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initBackend } from '../../src/backend/initBackend.js';
import { syntheticDataSource } from '../../src/data/sources/index.js';
import type { MinimumMeasurement } from '../../src/experiments/measureMinimum.js';
import { saveWeights } from '../../src/io/weights.js';
import { normalizeModelSpec } from '../../src/models/modelRegistry.js';
import { resnetV1 } from '../../src/models/resnetV1.js';
import { normalizeMeasurementSpec, normalizeTrainingSpec } from '../../src/run/normalizeSpec.js';
import { readRunConfig, readRunResult, writeRunConfig, writeRunHistory } from '../../src/run/runDirectory.js';
import type { RunSpec } from '../../src/run/runSpec.js';
import type { EpochRecord } from '../../src/train/history.js';

let root: string;

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
  root = mkdtempSync(join(tmpdir(), 'sgdf-cli-measure-per-layer-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/cli.ts', 'measure', ...args], {
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('measure RUN --per-layer prints the per-block table and records perLayer in result.json and --json', async () => {
  const dir = join(root, 'per-layer');
  mkdirSync(dir);
  const model = resnetV1({ depth: 8, seed: 4 });
  const blocks = model.trainableWeights.length;
  await saveWeights(model, join(dir, 'weights.safetensors'));
  model.dispose();
  writeRunConfig(dir, 'per-layer', spec);
  writeRunHistory(dir, [epoch]);
  const args = [dir, '--limit', '8', '--probes', '2', '--sigma-h-probes', '1', '--per-layer', '--quiet'];
  const table = cli(...args);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /^block +parameters +Tr H_bb +std\. error +tr σ²_bb/m);
  assert.match(table.stdout, /^stem_conv\/kernel +432 /m);
  assert.match(table.stdout, /^sum of blocks /m);
  const record = readRunResult(dir);
  assert.ok(record?.measurement.perLayer);
  assert.equal(readRunConfig(dir)?.spec.measurement.perLayer, true);
  const json = cli(...args, '--json');
  assert.equal(json.status, 0, json.stderr);
  const m = JSON.parse(json.stdout) as MinimumMeasurement;
  const perLayer = m.perLayer!;
  assert.equal(perLayer.length, blocks);
  assert.deepEqual(readRunResult(dir)?.measurement.perLayer, perLayer);
  const sumH = perLayer.reduce((s, b) => s + b.traceH, 0);
  const sumSigma = perLayer.reduce((s, b) => s + b.traceSigma, 0);
  assert.ok(Math.abs(sumH - m.traceH.estimate) <= 1e-12 * Math.abs(m.traceH.estimate));
  assert.ok(Math.abs(sumSigma - m.traceSigma.estimate) <= 1e-12 * m.traceSigma.estimate);
  for (const b of perLayer) {
    assert.deepEqual(Object.keys(b).sort(), [
      'block',
      'layer',
      'parameters',
      'traceH',
      'traceHStandardError',
      'traceSigma',
    ]);
  }
  // The setting stays in config.json until --no-per-layer drops it.
  const dropped = cli(
    dir,
    '--limit',
    '8',
    '--probes',
    '2',
    '--sigma-h-probes',
    '1',
    '--no-per-layer',
    '--quiet',
    '--json',
  );
  assert.equal(dropped.status, 0, dropped.stderr);
  assert.equal((JSON.parse(dropped.stdout) as MinimumMeasurement).perLayer, undefined);
  assert.equal(readRunConfig(dir)?.spec.measurement.perLayer, undefined);
  assert.equal(readRunResult(dir)?.measurement.perLayer, undefined);
  const refused = cli(dir, '--per-layer', '--estimator', 'xtrace', '--probes', '4', '--quiet');
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /perLayer' needs estimator 'hutchinson'/);
});
