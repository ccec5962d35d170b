// Real images through the whole pipeline: Debian's dataset-fashion-mnist (installed by .ci/run) trained,
// measured and reported through the command line, and swept with an MLP.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readRunConfig, readRunHistory, readRunResult } from '../../src/run/runDirectory.js';

const FASHION = '/usr/share/datasets/fashion-mnist';
const skip = existsSync(FASHION) ? false : `${FASHION} is absent (apt-get install dataset-fashion-mnist)`;
const root = mkdtempSync(join(tmpdir(), 'sgdf-cli-fashion-'));
after(() => rmSync(root, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/cli.ts', ...args], {
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('Fashion-MNIST through the command line', { skip }, () => {
  it('train learns in one epoch; measure writes result.json into the run; report shows the run', () => {
    const run = join(root, 'run');
    const train = cli(
      'train',
      '--dataset',
      'fashion-mnist',
      '--data',
      FASHION,
      '--model',
      'mlp',
      '--hidden',
      '64',
      '--epochs',
      '1',
      '--limit',
      '3000',
      '--test-limit',
      '500',
      '--batch-size',
      '50',
      '--lr',
      '0.1',
      '--out',
      run,
      '--quiet',
    );
    assert.equal(train.status, 0, train.stderr);
    const [epoch] = readRunHistory(run);
    // Ten balanced classes: chance is 0.1. An MLP on 3,000 real images reaches ~0.7 in one epoch.
    assert.ok(epoch && epoch.accuracy > 0.5, `training accuracy ${epoch?.accuracy}`);
    assert.ok(epoch && (epoch.valAccuracy ?? 0) > 0.6, `validation accuracy ${epoch?.valAccuracy}`);
    const config = readRunConfig(run);
    assert.equal(config?.spec.data.name, 'fashion-mnist');
    assert.equal(config?.spec.data.dir, FASHION);
    assert.deepEqual(config?.spec.model, {
      name: 'mlp',
      options: { hidden: [64], activation: 'relu', weightDecay: 0 },
    });

    const measure = cli(
      'measure',
      run,
      '--limit',
      '128',
      '--probes',
      '4',
      '--sigma-h-probes',
      '2',
      '--quiet',
    );
    assert.equal(measure.status, 0, measure.stderr);
    const result = readRunResult(run);
    assert.ok(result);
    assert.equal(result.measurement.settings['examples'], 128);
    assert.ok(result.measurement.traceH.estimate > 0 && result.measurement.traceSigma.estimate > 0);

    const report = cli('report', run);
    assert.equal(report.status, 0, report.stderr);
    assert.match(report.stdout, /\| 1 \| 500 \| 50 \| 0.1 \| /);
    assert.match(
      readFileSync(join(run, 'report', 'README.md'), 'utf8'),
      /run run in .*: MLP \[64\] relu on fashion-mnist/,
    );
    // --scale sum: traces of the loss summed over the 3,000 training examples (the paper's convention)
    const summed = cli('report', run, '--scale', 'sum', '--format', 'json');
    assert.equal(summed.status, 0, summed.stderr);
    const [row] = JSON.parse(summed.stdout) as { traceH: { mean: number } }[];
    const perExample = result.measurement.traceH.estimate;
    assert.ok(Math.abs((row?.traceH.mean ?? 0) - 3000 * perExample) <= 1e-9 * 3000 * perExample);
  });

  it('sweeps an MLP over a small grid of real images', () => {
    const configPath = join(root, 'mlp-sweep.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        name: 'fashion-mlp',
        dataset: 'fashion-mnist',
        model: { name: 'mlp', options: { hidden: [32] } },
        trainSize: 1000,
        validationSize: 200,
        epochs: 2,
        batchSizes: [50, 100],
        learningRates: [0.1],
        measurement: { probes: 2, examples: 100, batchSize: 100, sigmaHProbes: 2 },
      }),
    );
    const out = join(root, 'sweep');
    const sweep = cli(
      'sweep',
      '--config',
      configPath,
      '--data',
      FASHION,
      '--out',
      out,
      '--workers',
      '0',
      '--quiet',
    );
    assert.equal(sweep.status, 0, sweep.stderr);
    assert.match(sweep.stdout, /2 runs finished, 0 were already done, 0 failed, of 2/);
    for (const id of ['kld-bs50-lr0.1-seed0', 'kld-bs100-lr0.1-seed0']) {
      const record = readRunResult(join(out, 'runs', id));
      assert.ok(record, id);
      assert.equal(record.spec?.model.name, 'mlp');
      assert.ok(record.final.accuracy > 0.3, `${id} accuracy ${record.final.accuracy}`);
    }
    const report = cli('report', out);
    assert.equal(report.status, 0, report.stderr);
    assert.equal((report.stdout.match(/^\| \d+ \|/gm) ?? []).length, 2);
  });
});
