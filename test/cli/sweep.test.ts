import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { type DataSpec, syntheticDataSource } from '../../src/data/sources/index.js';
import { experimentRunner } from '../../src/experiments/experimentRunner.js';
import { inProcessExecutor } from '../../src/experiments/inProcessExecutor.js';
import { runSweep } from '../../src/experiments/runSweep.js';
import { runner as toyRunner } from '../experiments/fixtures/toyRunner.js';
import { resultsOf, toyConfig, toyRunnerPath } from '../experiments/sweepHelpers.js';
import { cliInProcess } from '../helpers/cliInProcess.js';
import { checkWellFormedXml } from '../report/xmlWellFormed.js';

const root = mkdtempSync(join(tmpdir(), 'cli-sweep-'));
after(() => rmSync(root, { recursive: true, force: true }));
const cliArgs = ['--import', 'tsx', 'test/helpers/cli.ts'];
const configPath = join(root, 'toy.json');
writeFileSync(configPath, JSON.stringify(toyConfig));

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [...cliArgs, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

function waitFor(predicate: () => boolean, child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      if (predicate()) return resolve();
      if (child.exitCode !== null)
        return reject(new Error(`the sweep exited (${child.exitCode}) before the condition`));
      if (Date.now() - start > timeoutMs) return reject(new Error('timed out'));
      setTimeout(tick, 20);
    };
    tick();
  });
}

/** The synthetic data `sweep --synthetic N` uses for a config with these sizes. */
function syntheticData(n: number, testN: number, trainSize: number, testSize: number): DataSpec {
  return {
    name: 'synthetic',
    dir: null,
    trainSize,
    testSize,
    params: syntheticDataSource.normalize({ n, testN, seed: 0 }, 'test'),
  };
}

describe('sgd-factors sweep', () => {
  it('rejects bad command lines with exit code 2 and the usage', async () => {
    const noOut = cli(['sweep', '--preset', 'smoke', '--synthetic', '100']);
    assert.equal(noOut.status, 2);
    assert.match(noOut.stderr, /--out DIR is required/);
    assert.match(noOut.stderr, /\(see 'sgd-factors help sweep'\)\n$/);
    const both = await cliInProcess([
      'sweep',
      '--preset',
      'smoke',
      '--config',
      configPath,
      '--synthetic',
      '100',
      '--out',
      root,
    ]);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /exactly one of --preset NAME or --config FILE.json/);
    const unknown = await cliInProcess([
      'sweep',
      '--preset',
      'tabel1',
      '--synthetic',
      '100',
      '--out',
      join(root, 'x'),
    ]);
    assert.equal(unknown.status, 2);
    assert.match(
      unknown.stderr,
      /unknown preset 'tabel1'; known presets: table1, table1-logloss, cpu, fashion-mnist, smoke/,
    );
    const noData = await cliInProcess(['sweep', '--preset', 'smoke', '--out', join(root, 'x')]);
    assert.equal(noData.status, 2);
    assert.match(noData.stderr, /--dataset synthetic needs --synthetic N \(the number of training images\)/);
  });

  it('reports an invalid config file naming the field', async () => {
    const bad = join(root, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...toyConfig, learningRates: [0.1, -2] }));
    const result = await cliInProcess([
      'sweep',
      '--config',
      bad,
      '--synthetic',
      '64',
      '--out',
      join(root, 'bad'),
    ]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /bad\.json: field 'learningRates\[1\]' must be a positive number, got -2/);
    assert.equal(existsSync(join(root, 'bad')), false, 'nothing is created for an invalid config');
  });

  it('resumes after being killed mid-run, ending with the results of an uninterrupted sweep', async () => {
    const reference = join(root, 'reference');
    await runSweep({
      config: toyConfig,
      data: syntheticData(64, 32, 64, 32),
      out: reference,
      executor: inProcessExecutor(toyRunner),
      silent: true,
    });
    const out = join(root, 'killed');
    const args = [
      'sweep',
      '--config',
      configPath,
      '--synthetic',
      '64',
      '--out',
      out,
      '--runner',
      toyRunnerPath,
      '--workers',
      '2',
    ];
    const child = spawn(process.execPath, [...cliArgs, ...args], {
      env: { ...process.env, TOY_EPOCH_MS: '200' },
      stdio: 'ignore',
    });
    const checkpoints = () =>
      existsSync(join(out, 'runs')) &&
      readdirSync(join(out, 'runs')).some((id) => existsSync(join(out, 'runs', id, 'checkpoint.json')));
    try {
      await waitFor(checkpoints, child, 60_000);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    const finishedBeforeKill = existsSync(join(out, 'results.jsonl')) ? resultsOf(out).length : 0;
    assert.ok(finishedBeforeKill < 8, 'the sweep was interrupted before it finished');

    const rerun = cli(args);
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.match(rerun.stderr, /resumed after epoch [12]\/3/);
    assert.match(rerun.stdout, /of 8; results in .*results\.jsonl/);
    assert.deepEqual(resultsOf(out), resultsOf(reference));

    const again = cli(args);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /^0 runs finished, 8 were already done, 0 failed, of 8/);

    const other = join(root, 'other.json');
    writeFileSync(other, JSON.stringify({ ...toyConfig, seeds: [0, 1, 2] }));
    const refused = cli([
      'sweep',
      '--config',
      other,
      '--synthetic',
      '64',
      '--out',
      out,
      '--runner',
      toyRunnerPath,
    ]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /holds results of a different sweep .*seeds: \[0,1\] before, \[0,1,2\] now/);
    assert.deepEqual(resultsOf(out), resultsOf(reference));
  });

  it('exits 1 and lists the failed runs', () => {
    const result = cli(
      [
        'sweep',
        '--config',
        configPath,
        '--synthetic',
        '64',
        '--out',
        join(root, 'failing'),
        '--runner',
        toyRunnerPath,
        '--workers',
        '0',
        '--quiet',
      ],
      { TOY_FAIL_ID: 'kld-bs8-lr0.1-seed0' },
    );
    assert.equal(result.status, 1);
    assert.match(result.stdout, /7 runs finished, 0 were already done, 1 failed, of 8/);
    assert.match(result.stdout, /failed: kld-bs8-lr0.1-seed0: toy failure injected/);
    assert.equal(result.stderr, '');
  });
});

describe('sgd-factors sweep with the real runner (ResNet, trainSGD, measureMinimum)', () => {
  it('runs the smoke preset end to end, and report makes its tables and figures', (t) => {
    const out = join(root, 'smoke');
    const started = Date.now();
    const sweep = cli(['sweep', '--preset', 'smoke', '--synthetic', '2000', '--out', out]);
    const seconds = (Date.now() - started) / 1000;
    t.diagnostic(`smoke sweep wall time: ${seconds.toFixed(1)} s`);
    assert.equal(sweep.status, 0, sweep.stderr);
    assert.match(sweep.stdout, /^4 runs finished, 0 were already done, 0 failed, of 4/);
    assert.match(sweep.stderr, /backend \w+/);
    const results = resultsOf(out) as {
      id: string;
      epochs: number;
      measurement: { traceH: { estimate: number } };
    }[];
    assert.deepEqual(
      results.map((r) => r.id),
      ['kld-bs100-lr0.08-seed0', 'kld-bs100-lr0.2-seed0', 'kld-bs200-lr0.08-seed0', 'kld-bs200-lr0.2-seed0'],
    );
    for (const r of results) assert.ok(Number.isFinite(r.measurement.traceH.estimate), r.id);

    const report = spawnSync(process.execPath, [...cliArgs, 'report', out], { encoding: 'utf8' });
    assert.equal(report.status, 0, report.stderr);
    assert.equal((report.stdout.match(/^\| \d+ \|/gm) ?? []).length, 4, 'four Table 1 rows');
    for (const figure of ['figure2-kld.svg', 'figure4-kld.svg'])
      checkWellFormedXml(readFileSync(join(out, 'report', figure), 'utf8'));
  });

  it('resumes a training run killed after its first checkpoint, with the results of an uninterrupted one', async () => {
    const tiny = {
      name: 'tiny',
      dataset: 'synthetic',
      depth: 8,
      trainSize: 200,
      validationSize: 50,
      epochs: 3,
      schedule: { boundaries: [2], factor: 0.1 },
      batchSizes: [50],
      learningRates: [0.1],
      seeds: [0],
      measurement: { estimator: 'hutchinson', probes: 1, examples: 50, batchSize: 50, sigmaHProbes: 1 },
    } as const;
    const tinyPath = join(root, 'tiny.json');
    writeFileSync(tinyPath, JSON.stringify(tiny));
    const reference = join(root, 'tiny-reference');
    await runSweep({
      config: {
        ...tiny,
        batchSizes: [50],
        learningRates: [0.1],
        seeds: [0],
        schedule: { boundaries: [2], factor: 0.1 },
      },
      data: syntheticData(200, 50, 200, 50),
      out: reference,
      executor: inProcessExecutor(experimentRunner),
      silent: true,
    });
    const out = join(root, 'tiny-killed');
    const args = ['sweep', '--config', tinyPath, '--synthetic', '200', '--out', out, '--workers', '1'];
    const child = spawn(process.execPath, [...cliArgs, ...args], { stdio: 'ignore' });
    const checkpoint = join(out, 'runs', 'kld-bs50-lr0.1-seed0', 'checkpoint', 'checkpoint.json');
    try {
      await waitFor(() => existsSync(checkpoint), child, 120_000);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(existsSync(join(out, 'results.jsonl')), false, 'killed before the run finished');
    const rerun = cli(args);
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.match(rerun.stderr, /resumed after epoch [12]\/3/);
    assert.deepEqual(resultsOf(out), resultsOf(reference));
  });
});
