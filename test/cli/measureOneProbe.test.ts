// A standard error from a single probe is undefined (NaN in the result); `measure` prints it as
// "n/a (1 probe)", not NaN.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initBackend } from '../../src/backend/initBackend.js';
import { dataSpecShape, syntheticDataSource } from '../../src/data/sources/index.js';
import { saveWeights } from '../../src/io/weights.js';
import { buildModel, normalizeModelSpec } from '../../src/models/modelRegistry.js';
import { normalizeMeasurementSpec, normalizeTrainingSpec } from '../../src/run/normalizeSpec.js';
import { writeRunConfig, writeRunHistory } from '../../src/run/runDirectory.js';
import type { RunSpec } from '../../src/run/runSpec.js';

let root: string;
let run: string;

const spec: RunSpec = {
  data: {
    name: 'synthetic',
    dir: null,
    trainSize: null,
    testSize: null,
    params: syntheticDataSource.normalize({ n: 16, testN: 4, seed: 3 }, 'test'),
  },
  model: normalizeModelSpec({ name: 'mlp', options: { hidden: [4] } }, 'test'),
  training: normalizeTrainingSpec(
    { loss: 'kld', learningRate: 0.1, batchSize: 8, epochs: 1, seed: 1 },
    'test',
  ),
  measurement: normalizeMeasurementSpec({ examples: 16 }, 'test'),
};

before(async () => {
  await initBackend({ quiet: true });
  root = mkdtempSync(join(tmpdir(), 'sgdf-cli-one-probe-'));
  run = join(root, 'run');
  mkdirSync(run);
  const { inputShape, numClasses } = dataSpecShape(spec.data);
  const model = buildModel(spec.model, { inputShape, numClasses, seed: 2 });
  await saveWeights(model, join(run, 'weights.safetensors'));
  model.dispose();
  writeRunConfig(run, 'run', spec);
  writeRunHistory(run, [
    {
      epoch: 0,
      lr: 0.1,
      loss: 1,
      regularization: 0,
      accuracy: 0.5,
      examples: 16,
      trainSeconds: 1,
      seconds: 1,
    },
  ]);
});
after(() => rmSync(root, { recursive: true, force: true }));

function measure(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/cli.ts', 'measure', run, ...args], {
    encoding: 'utf8',
  });
}

test('measure with one probe prints its standard error as "n/a (1 probe)", not NaN', () => {
  const common = ['--limit', '8', '--estimator', 'hutchinson', '--sigma-h-probes', '2', '--quiet'];
  const r = measure(...common, '--probes', '1');
  assert.equal(r.status, 0, r.stderr);
  const row = (name: string) => r.stdout.split('\n').find((line) => line.startsWith(name)) ?? '';
  const trH = row('Tr H ');
  assert.match(trH, /^Tr H\s+\S+\s+n\/a \(1 probe\)\s+1\s+1\s+8$/, r.stdout);
  assert.doesNotMatch(r.stdout, /NaN/);
  // With two probes the same row has a number there.
  const two = measure(...common, '--probes', '2');
  assert.equal(two.status, 0, two.stderr);
  const trH2 = two.stdout.split('\n').find((line) => line.startsWith('Tr H ')) ?? '';
  assert.match(trH2, /^Tr H\s+\S+\s+\d[\d.e+-]*\s+2\s+2\s+8$/, two.stdout);
});
