// The cluster entry points of `sgd-factors sweep` (plan, run, status, collect) and the run leases, with
// the toy runner: one task per process as a Slurm array or a Kubernetes Indexed Job would run them.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { syntheticDataSource } from '../../src/data/sources/index.js';
import { inProcessExecutor } from '../../src/experiments/inProcessExecutor.js';
import { runSweep } from '../../src/experiments/runSweep.js';
import { runner as toyRunner } from '../experiments/fixtures/toyRunner.js';
import { resultsOf, toyConfig, toyRunnerPath } from '../experiments/sweepHelpers.js';

const root = mkdtempSync(join(tmpdir(), 'cli-sweep-cluster-'));
after(() => rmSync(root, { recursive: true, force: true }));
const cliArgs = ['--import', 'tsx', 'test/helpers/cli.ts'];
const configPath = join(root, 'toy.json');
writeFileSync(configPath, JSON.stringify(toyConfig));
const planArgs = (out: string) => [
  'sweep',
  'plan',
  '--config',
  configPath,
  '--synthetic',
  '64',
  '--out',
  out,
  '--quiet',
];
const runArgs = (out: string) => ['sweep', 'run', '--out', out, '--runner', toyRunnerPath, '--quiet'];
const reference = join(root, 'reference');
const ids = [
  'kld-bs8-lr0.05-seed0',
  'kld-bs8-lr0.1-seed0',
  'kld-bs16-lr0.05-seed0',
  'kld-bs16-lr0.1-seed0',
  'kld-bs8-lr0.05-seed1',
  'kld-bs8-lr0.1-seed1',
  'kld-bs16-lr0.05-seed1',
  'kld-bs16-lr0.1-seed1',
];

/** Runs the CLI in this process with extra environment variables, capturing what it writes. */
async function cli(args: string[], env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' };
  const original = { stdout: process.stdout.write, stderr: process.stderr.write, env: { ...process.env } };
  process.stdout.write = ((chunk: string) => {
    out.stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    out.stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  Object.assign(process.env, env);
  try {
    return { status: await main(args), ...out };
  } finally {
    process.stdout.write = original.stdout;
    process.stderr.write = original.stderr;
    for (const key of Object.keys(env)) {
      if (original.env[key] === undefined) delete process.env[key];
      else process.env[key] = original.env[key];
    }
  }
}

function start(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...cliArgs, ...args], { env: { ...process.env, ...env }, stdio: 'ignore' });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function waitFor(predicate: () => boolean, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (child.exitCode !== null)
      throw new Error(`the process exited (${child.exitCode}) before the condition`);
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Training starts recorded by the toy runner: [id, fromEpoch]. */
const startsIn = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(' ').slice(0, 2))
    : [];

before(async () => {
  const data = {
    name: 'synthetic',
    dir: null,
    trainSize: 64,
    testSize: 32,
    params: syntheticDataSource.normalize({ n: 64, testN: 32, seed: 0 }, 'test'),
  };
  await runSweep({
    config: toyConfig,
    data,
    out: reference,
    executor: inProcessExecutor(toyRunner),
    silent: true,
  });
});

describe('sgd-factors sweep plan / run / status / collect', () => {
  it('runs every task by --task-index, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, with the results of one sweep', async () => {
    const out = join(root, 'array');
    const plan = await cli([...planArgs(out), '--slurm', '--max-parallel', '3']);
    assert.equal(plan.status, 0, plan.stderr);
    assert.match(plan.stdout, /^#SBATCH --array=0-7%3$/m);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'tasks.json'), 'utf8')).ids, ids);
    assert.equal((await cli(planArgs(out))).status, 0, 'planning the same sweep again is accepted');
    const longer = join(root, 'longer.json');
    writeFileSync(longer, JSON.stringify({ ...toyConfig, epochs: 4 }));
    const other = await cli(['sweep', 'plan', '--config', longer, '--synthetic', '64', '--out', out]);
    assert.equal(other.status, 1);
    assert.match(other.stderr, /holds results of a different sweep .*epochs: 3 before, 4 now/);

    const starts = join(root, 'array-starts');
    for (let i = 0; i < 8; i++) {
      const env: Record<string, string> =
        i % 3 === 0
          ? {}
          : i % 3 === 1
            ? { SLURM_ARRAY_TASK_ID: String(i) }
            : { JOB_COMPLETION_INDEX: String(i) };
      const args = i % 3 === 0 ? [...runArgs(out), '--task-index', String(i)] : runArgs(out);
      const run = await cli(args, { ...env, TOY_STARTS_FILE: starts });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, new RegExp(`task ${i} = ${ids[i]} of `));
    }
    const again = await cli([...runArgs(out), '--task-index', '5'], { TOY_STARTS_FILE: starts });
    assert.equal(again.status, 0);
    assert.match(again.stderr, /was already done/);
    assert.deepEqual(
      startsIn(starts).map(([id]) => id),
      ids,
      'each run trained once; the repeated task did not train',
    );
    assert.equal(existsSync(join(out, 'results.jsonl')), false, 'array tasks leave results.jsonl to collect');
    const status = await cli(['sweep', 'status', out]);
    assert.match(status.stdout, /8 done, 0 running, 0 failed, 0 pending, of 8/);
    const collect = await cli(['sweep', 'collect', out]);
    assert.equal(collect.status, 0);
    assert.match(collect.stdout, /8 of 8 runs have results/);
    assert.deepEqual(resultsOf(out), resultsOf(reference));

    assert.equal((await cli([...runArgs(out), '--task-index', '8'])).status, 2);
    const noIndex = await cli(runArgs(out));
    assert.equal(noIndex.status, 2);
    assert.match(noIndex.stderr, /give --task-index I/);
  });

  it('resumes a task killed with -9 (its lease left behind) with the results of an uninterrupted one', async () => {
    const out = join(root, 'killed');
    assert.equal((await cli(planArgs(out))).status, 0);
    const starts = join(root, 'killed-starts');
    const runDir = join(out, 'runs', ids[2] as string);
    const child = start([...runArgs(out), '--task-index', '2'], {
      TOY_EPOCH_MS: '400',
      TOY_STARTS_FILE: starts,
    });
    try {
      await waitFor(() => existsSync(join(runDir, 'checkpoint.json')), child);
    } finally {
      child.kill('SIGKILL');
    }
    await exited(child);
    assert.ok(existsSync(join(runDir, 'lease')), 'kill -9 leaves the lease');
    assert.equal(existsSync(join(runDir, 'result.json')), false, 'killed before the end');
    const status = await cli(['sweep', 'status', out, '--missing']);
    assert.equal(status.stdout, '0,1,2,3,4,5,6,7\n', 'a dead holder does not count as running');
    const rerun = await cli([...runArgs(out), '--task-index', '2'], { TOY_STARTS_FILE: starts });
    assert.equal(rerun.status, 0, rerun.stderr);
    const [first, second] = startsIn(starts);
    assert.deepEqual(first, [ids[2], '0']);
    assert.ok(Number(second?.[1]) >= 1, `the rerun resumed from its checkpoint (${second})`);
    await cli(['sweep', 'collect', out]);
    assert.deepEqual(
      resultsOf(out),
      resultsOf(reference).filter((r) => (r as { id: string }).id === ids[2]),
    );
  });

  it('stops on SIGTERM with the requeue exit code, shows the holder while running, and resumes', async () => {
    const out = join(root, 'term');
    assert.equal((await cli(planArgs(out))).status, 0);
    const runDir = join(out, 'runs', ids[6] as string);
    const child = start([...runArgs(out), '--task-index', '6'], { TOY_EPOCH_MS: '400' });
    try {
      await waitFor(() => existsSync(join(runDir, 'checkpoint.json')), child);
      const status = await cli(['sweep', 'status', out]);
      assert.match(status.stdout, new RegExp(`6  ${ids[6]}\\s+running .* pid ${child.pid}`));
      assert.equal((await cli(['sweep', 'status', out, '--missing'])).stdout, '0,1,2,3,4,5,7\n');
      const busy = await cli([...runArgs(out), '--task-index', '6']);
      assert.equal(busy.status, 75, 'another worker holds the run: try again later');
      assert.match(busy.stderr, new RegExp(`held by .*pid ${child.pid}`));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited(child), 75);
    assert.equal(existsSync(join(runDir, 'lease')), false, 'the lease is released');
    assert.ok(existsSync(join(runDir, 'checkpoint.json')), 'the checkpoint is kept');
    const rerun = await cli([...runArgs(out), '--task-index', '6']);
    assert.equal(rerun.status, 0, rerun.stderr);
    await cli(['sweep', 'collect', out]);
    assert.deepEqual(
      resultsOf(out),
      resultsOf(reference).filter((r) => (r as { id: string }).id === ids[6]),
    );
  });

  it('shares the runs between two sweep processes on one directory: each run trained exactly once', async () => {
    const out = join(root, 'shared');
    const starts = join(root, 'shared-starts');
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
      '--quiet',
    ];
    const env = { TOY_EPOCH_MS: '100', TOY_STARTS_FILE: starts };
    const children = [start(args, env), start(args, env)];
    const codes = await Promise.all(children.map(exited));
    assert.deepEqual(codes, [0, 0]);
    const trained = startsIn(starts).map(([id]) => id as string);
    assert.deepEqual([...trained].sort(), [...ids].sort(), 'every run trained exactly once');
    await cli(['sweep', 'collect', out]);
    assert.deepEqual(resultsOf(out), resultsOf(reference));
  });
});
