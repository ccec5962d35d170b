import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SweepConfigError, sweepConfigHash, validateSweepConfig } from '../../src/experiments/sweepConfig.js';
import { SWEEP_PRESET_NAMES, sweepPreset } from '../../src/experiments/sweepPresets.js';
import { runId, sweepTasks } from '../../src/experiments/sweepTask.js';
import { toyData } from './sweepHelpers.js';

const minimal = { depth: 8, epochs: 3, batchSizes: [20, 10], learningRates: [0.5, 0.1] };

describe('validateSweepConfig', () => {
  it('fills defaults and sorts the grids', () => {
    const c = validateSweepConfig(minimal);
    assert.deepEqual(c.batchSizes, [10, 20]);
    assert.deepEqual(c.learningRates, [0.1, 0.5]);
    assert.deepEqual(c.seeds, [0]);
    assert.deepEqual(c.losses, ['kld']);
    assert.equal(c.trainSize, 'all');
    assert.deepEqual(c.schedule, { boundaries: [], factor: 0.1 });
    assert.equal(c.measurement.estimator, 'hutchinson');
    assert.deepEqual(validateSweepConfig(c), c, 'validating a normalized config is the identity');
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['depth not 6n+2', { depth: 10 }, /'depth' must be of the form 6n\+2/],
    [
      'missing depth',
      { depth: undefined },
      /'depth' \(ResNet depth 6n\+2, e.g. 20 or 56\) or 'model' is required/,
    ],
    ['negative batch size', { batchSizes: [10, -1] }, /'batchSizes\[1\]' must be an integer ≥ 1, got -1/],
    ['repeated rate', { learningRates: [0.1, 0.1] }, /'learningRates' repeats the value 0.1/],
    [
      'no tr(σ²H) probes (measureMinimum needs one; refused before any training)',
      { measurement: { sigmaHProbes: 0 } },
      /'measurement.sigmaHProbes' must be an integer ≥ 1, got 0/,
    ],
    ['zero rate', { learningRates: [0] }, /'learningRates\[0\]' must be a positive number/],
    [
      'unknown loss',
      { losses: ['mse'] },
      /'losses\[0\]' must be one of kld, crossEntropy, squaredError, got 'mse'/,
    ],
    ['typo', { batchSize: [10] }, /unknown field 'batchSize' \(did you mean 'batchSizes'\?\)/],
    [
      'boundary past the end',
      { schedule: { boundaries: [3] } },
      /'schedule.boundaries\[0\]' \(3\) must be less than 'epochs' \(3\)/,
    ],
    ['decreasing boundaries', { epochs: 10, schedule: { boundaries: [5, 2] } }, /strictly increasing/],
    ['factor above 1', { schedule: { factor: 2 } }, /'schedule.factor' must be a number in \(0, 1\]/],
    [
      'bad estimator',
      { measurement: { estimator: 'guess' } },
      /'measurement.estimator' must be one of hutchinson, hutchpp, xtrace/,
    ],
    [
      'bad noise method',
      { measurement: { noise: 'exact' } },
      /'measurement.noise' must be one of perExample, minibatch, twoBatch/,
    ],
    [
      'too small a budget',
      { measurement: { estimator: 'hutchpp', probes: 2 } },
      /'measurement.probes' must be ≥ 4 for the hutchpp estimator/,
    ],
    [
      'unknown measurement field',
      { measurement: { probe: 3 } },
      /unknown field 'measurement.probe' \(did you mean 'measurement.probes'\?\)/,
    ],
    ['batch larger than data', { trainSize: 15 }, /'batchSizes' has 20, more than 'trainSize' \(15\)/],
    [
      'measuring more than the data',
      { trainSize: 100, measurement: { examples: 200 } },
      /'measurement.examples' \(200\) exceeds 'trainSize' \(100\)/,
    ],
    ['not an array', { seeds: 3 }, /'seeds' must be a non-empty array/],
  ];
  for (const [what, patch, message] of bad) {
    it(`rejects ${what} with a message naming the field`, () => {
      assert.throws(
        () => validateSweepConfig({ ...minimal, ...patch }, 'my.json'),
        (error: unknown) => {
          assert.ok(error instanceof SweepConfigError);
          assert.match(error.message, /^my\.json: /);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
  it('rejects a non-object', () => {
    assert.throws(() => validateSweepConfig([1, 2]), /must be a JSON object/);
  });
});

describe('sweepConfigHash', () => {
  it('ignores name, description and the order of grid values, but not the settings', () => {
    const a = validateSweepConfig({ ...minimal, name: 'a' });
    const b = validateSweepConfig({ ...minimal, name: 'b', description: 'x', batchSizes: [10, 20] });
    assert.equal(sweepConfigHash(a), sweepConfigHash(b));
    assert.notEqual(sweepConfigHash(a), sweepConfigHash(validateSweepConfig({ ...minimal, epochs: 4 })));
    assert.notEqual(
      sweepConfigHash(a, { data: { kind: 'cifar10' } }),
      sweepConfigHash(a, { data: { kind: 'x' } }),
    );
    assert.match(sweepConfigHash(a), /^[0-9a-f]{16}$/);
  });
});

describe('presets', () => {
  it('table1 is the paper setting', () => {
    const { config, heavy } = sweepPreset('table1');
    assert.equal(heavy, true);
    assert.deepEqual(config.model, {
      name: 'resnetV1',
      options: { depth: 56, numFilters: 16, weightDecay: 1e-4 },
    });
    assert.equal(config.epochs, 125);
    assert.equal(config.trainSize, 'all');
    assert.deepEqual(config.schedule, { boundaries: [60, 100], factor: 0.1 });
    assert.deepEqual(config.batchSizes, [100, 200, 500]);
    assert.deepEqual(config.learningRates, [0.08, 0.2, 0.5]);
    assert.deepEqual(config.seeds, [0, 1, 2, 3, 4]);
    assert.deepEqual(config.losses, ['kld']);
    assert.deepEqual(sweepPreset('table1-logloss').config.losses, ['crossEntropy']);
  });
  it('cpu scales the schedule boundaries with the epochs', () => {
    const { config } = sweepPreset('cpu');
    assert.equal(config.model.options['depth'], 20);
    assert.equal(config.trainSize, 10000);
    assert.equal(config.epochs, 15);
    assert.deepEqual(
      config.schedule.boundaries,
      [60, 100].map((b) => Math.floor((b / 125) * 15)),
    );
    assert.equal(config.seeds.length, 2);
  });
  it('smoke is tiny', () => {
    const { config } = sweepPreset('smoke');
    assert.equal(config.model.options['depth'], 8);
    assert.equal(config.trainSize, 2000);
    assert.equal(config.epochs, 2);
    assert.equal(config.batchSizes.length * config.learningRates.length * config.seeds.length, 4);
  });
  it('CPU presets measure in chunks that fit the wasm heap', () => {
    // Measured: a ResNet-20 (32×32×3) Hessian product at 250 examples ran out of the 4 GiB wasm heap;
    // at 100 it peaked at 2.5 GB; 28×28×1 images need less. The cpu preset shipped with 250.
    for (const name of SWEEP_PRESET_NAMES) {
      const { config, heavy } = sweepPreset(name);
      if (!heavy) assert.ok(config.measurement.batchSize <= 100, `${name}: ${config.measurement.batchSize}`);
    }
  });
  it('every preset validates; unknown names are refused', () => {
    for (const name of SWEEP_PRESET_NAMES) assert.equal(sweepPreset(name).config.name, name);
    assert.throws(() => sweepPreset('tabel1'), /unknown preset 'tabel1'; known presets: table1/);
  });
});

describe('sweepTasks', () => {
  it('expands the grid seed by seed with readable unique ids', () => {
    const config = validateSweepConfig({ ...minimal, seeds: [1, 0], losses: ['crossEntropy', 'kld'] });
    const tasks = sweepTasks(config, toyData, '/tmp/s');
    assert.equal(tasks.length, 2 * 2 * 2 * 2);
    assert.deepEqual(
      tasks.slice(0, 4).map((t) => t.id),
      ['kld-bs10-lr0.1-seed0', 'kld-bs10-lr0.5-seed0', 'kld-bs20-lr0.1-seed0', 'kld-bs20-lr0.5-seed0'],
    );
    assert.equal(new Set(tasks.map((t) => t.id)).size, tasks.length);
    assert.equal(tasks[0]?.runDir, '/tmp/s/runs/kld-bs10-lr0.1-seed0');
    assert.equal(
      runId({ loss: 'kld', batchSize: 100, learningRate: 0.08, seed: 0 }),
      'kld-bs100-lr0.08-seed0',
    );
  });
});

describe('example sweep configs', () => {
  it('examples/sweeps/*.json are valid configs with the full 3×3 grid', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const files = readdirSync('examples/sweeps').filter((f) => f.endsWith('.json'));
    assert.ok(files.length > 0);
    for (const file of files) {
      const config = validateSweepConfig(JSON.parse(readFileSync(`examples/sweeps/${file}`, 'utf8')), file);
      assert.deepEqual(config.batchSizes, [100, 200, 500], file);
      assert.deepEqual(config.learningRates, [0.08, 0.2, 0.5], file);
    }
  });
});
