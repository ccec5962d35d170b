import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inProcessExecutor } from '../../src/experiments/inProcessExecutor.js';
import { runSweep } from '../../src/experiments/runSweep.js';
import { runner as toyRunner } from '../experiments/fixtures/toyRunner.js';
import { toyConfig, toyData } from '../experiments/sweepHelpers.js';

const root = mkdtempSync(join(tmpdir(), 'cli-report-'));
after(() => rmSync(root, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/cli.ts', 'report', ...args], {
    encoding: 'utf8',
  });
}

describe('sgd-factors report', () => {
  const dir = join(root, 'sweep');
  before(async () => {
    await runSweep({
      config: toyConfig,
      data: toyData,
      out: dir,
      executor: inProcessExecutor(toyRunner),
      silent: true,
    });
  });

  it('writes DIR/report and prints Table 1 as CSV', () => {
    const result = cli([dir, '--format', 'csv']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^loss,experiment,bs_over_lr,batch_size,learning_rate,seeds,trace_h,/);
    assert.equal(result.stdout.trim().split('\n').length, 1 + 4);
    assert.match(result.stderr, /wrote 10 files to .*report\/ \(8 runs\); start with .*README\.md/);
    for (const file of [
      'README.md',
      'table1.md',
      'table1.csv',
      'figure2-kld.svg',
      'figure4-kld.svg',
      'predictions.md',
    ])
      assert.ok(existsSync(join(dir, 'report', file)), file);
  });

  it('rejects a bad format (exit 2) and a directory that is not a sweep (exit 1)', () => {
    const badFormat = cli([dir, '--format', 'html']);
    assert.equal(badFormat.status, 2);
    assert.match(badFormat.stderr, /--format must be md, csv or json, got 'html'/);
    const notSweep = cli([root]);
    assert.equal(notSweep.status, 1);
    assert.match(notSweep.stderr, /is neither a sweep directory \(no sweep.json\) nor a run directory/);
  });
});
