import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  acquireRunLease,
  inspectRunLease,
  leasePath,
  leaseStaleSeconds,
} from '../../src/experiments/runLease.js';

const root = mkdtempSync(join(tmpdir(), 'run-lease-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const runDir = () => {
  const dir = join(root, `run${counter++}`);
  mkdirSync(dir);
  return dir;
};

/** A lease file as another holder would have written it. */
function foreignLease(dir: string, fields: Record<string, unknown>): void {
  const holder = {
    owner: 'someone',
    host: 'elsewhere',
    pid: 1,
    slurmJobId: null,
    token: 'foreign',
    acquiredAt: '',
  };
  writeFileSync(leasePath(dir), JSON.stringify({ ...holder, ...fields }));
}

describe('run leases', () => {
  it('gives a run to one holder at a time and back after release', () => {
    const dir = runDir();
    const first = acquireRunLease(dir, 60);
    assert.ok('lease' in first);
    const second = acquireRunLease(dir, 60);
    assert.ok('heldBy' in second);
    assert.equal(second.heldBy.holder?.token, first.lease.holder.token);
    assert.equal(second.heldBy.staleBecause, undefined);
    first.lease.release();
    assert.equal(existsSync(leasePath(dir)), false);
    const third = acquireRunLease(dir, 60);
    assert.ok('lease' in third);
    third.lease.release();
  });

  it('takes over a lease without a heartbeat for longer than the stale time, and the old holder learns it', () => {
    const dir = runDir();
    const old = acquireRunLease(dir, 60);
    assert.ok('lease' in old);
    const past = new Date(Date.now() - 120_000);
    utimesSync(leasePath(dir), past, past);
    assert.match(inspectRunLease(dir, 60)?.staleBecause ?? '', /no heartbeat for 1[12]\d s/);
    const thief = acquireRunLease(dir, 60);
    assert.ok('lease' in thief);
    assert.equal(old.lease.refresh(), false, 'the old holder sees it lost the lease');
    old.lease.release();
    assert.ok(existsSync(leasePath(dir)), 'releasing a lost lease leaves the new holder its file');
    assert.equal(thief.lease.refresh(), true);
    thief.lease.release();
  });

  it('takes over at once from a process of this host that is gone, not from a live one', () => {
    const dir = runDir();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    foreignLease(dir, { host: hostname(), pid: gone });
    assert.match(inspectRunLease(dir, 600)?.staleBecause ?? '', new RegExp(`process ${gone} .* is gone`));
    const attempt = acquireRunLease(dir, 600);
    assert.ok('lease' in attempt);
    attempt.lease.release();
    foreignLease(dir, { host: hostname(), pid: 1 });
    assert.ok('heldBy' in acquireRunLease(dir, 600), 'pid 1 is alive');
    foreignLease(dir, { host: 'another-node', pid: gone });
    assert.ok('heldBy' in acquireRunLease(dir, 600), "another host's pids are not ours to judge");
  });

  it('lets a requeued Slurm job take back its own lease, not another job', () => {
    const dir = runDir();
    foreignLease(dir, { slurmJobId: '4242', host: 'node7', pid: 99 });
    const saved = process.env['SLURM_JOB_ID'];
    try {
      process.env['SLURM_JOB_ID'] = '4243';
      assert.ok('heldBy' in acquireRunLease(dir, 600));
      process.env['SLURM_JOB_ID'] = '4242';
      const attempt = acquireRunLease(dir, 600);
      assert.ok('lease' in attempt);
      assert.match(attempt.lease.holder.owner, /^slurm job 4242 on /);
      assert.equal(JSON.parse(readFileSync(leasePath(dir), 'utf8')).token, attempt.lease.holder.token);
      attempt.lease.release();
    } finally {
      if (saved === undefined) delete process.env['SLURM_JOB_ID'];
      else process.env['SLURM_JOB_ID'] = saved;
    }
  });

  it('reads the stale time from SGD_FACTORS_LEASE_STALE_SECONDS and rejects nonsense', () => {
    assert.equal(leaseStaleSeconds({}), 600);
    assert.equal(leaseStaleSeconds({ SGD_FACTORS_LEASE_STALE_SECONDS: '30' }), 30);
    assert.throws(
      () => leaseStaleSeconds({ SGD_FACTORS_LEASE_STALE_SECONDS: '-1' }),
      /must be a positive number/,
    );
  });
});
