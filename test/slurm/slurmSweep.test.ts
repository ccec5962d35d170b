// Sweeps through a real Slurm: `sweep plan --slurm`, sbatch, wait, `sweep collect`, compared with the
// same sweep run in one process; then a running array task is requeued and must resume from its
// checkpoint with the same results. Needs slurmctld/slurmd/munged running and SLURM_CONF set:
// scripts/slurm-test.sh starts them (and stops them by PID), and sets SGD_FACTORS_SLURM_TEST=1. Skipped
// otherwise, so the ordinary suite needs no services.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { resultsOf, toyConfig, toyRunnerPath } from '../experiments/sweepHelpers.js';

const enabled = process.env['SGD_FACTORS_SLURM_TEST'] === '1';
const root = mkdtempSync(join(tmpdir(), 'slurm-sweep-'));
after(() => rmSync(root, { recursive: true, force: true }));
const repo = resolve(new URL('../..', import.meta.url).pathname);
const cliCommand = `${process.execPath} --import tsx ${join(repo, 'test/helpers/cli.ts')}`;
const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function cli(args: string[], env: Record<string, string> = {}): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/cli.ts', ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  assert.equal(result.status, 0, `sgd-factors ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Plans a sweep for Slurm and submits its script; returns the array job id and the script. */
function submit(
  config: string,
  data: string[],
  out: string,
  scriptArgs: string[],
  env: Record<string, string>,
): string {
  const script = cli([
    'sweep',
    'plan',
    '--config',
    config,
    ...data,
    '--out',
    out,
    '--slurm',
    '--max-parallel',
    '2',
    '--quiet',
  ]);
  writeFileSync(join(out, 'sweep.sbatch'), script);
  return execFileSync('sbatch', ['--parsable', join(out, 'sweep.sbatch'), ...scriptArgs], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, SGD_FACTORS: cliCommand, ...env },
  }).trim();
}

/** The array's tasks still known to the controller: `<jobid>_<index> <state> <own job id>` lines. */
function queued(arrayJob: string): string[] {
  return execFileSync('squeue', ['-h', '-j', arrayJob, '-o', '%i %T %A'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.trim() !== '');
}

async function until(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const logsOf = (out: string) =>
  readdirSync(join(out, 'logs'))
    .map((f) => readFileSync(join(out, 'logs', f), 'utf8'))
    .join('\n');

describe('sweeps on a real Slurm', {
  skip: !enabled && 'set SGD_FACTORS_SLURM_TEST=1 (scripts/slurm-test.sh)',
}, () => {
  it('runs an MLP sweep as a job array with the numbers of an in-process sweep', async () => {
    const config = join(root, 'mlp.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'slurm-mlp',
        dataset: 'synthetic',
        model: { name: 'mlp', options: { hidden: [16] } },
        trainSize: 256,
        validationSize: 64,
        epochs: 3,
        schedule: { boundaries: [2], factor: 0.1 },
        losses: ['kld'],
        batchSizes: [32, 64],
        learningRates: [0.05],
        seeds: [0],
        measurement: { estimator: 'hutchinson', examples: 128, probes: 2, batchSize: 64 },
      }),
    );
    const data = ['--synthetic', '256'];
    const out = join(root, 'mlp-slurm');
    const started = Date.now();
    const job = submit(config, data, out, [], {});
    await until('the array to finish', () => queued(job).length === 0, 150_000);
    process.stderr.write(`slurm: the 2-task MLP array finished ${elapsed(started)} after sbatch\n`);
    assert.match(cli(['sweep', 'collect', out]), /2 of 2 runs have results/);
    const reference = join(root, 'mlp-local');
    cli(['sweep', '--config', config, ...data, '--out', reference, '--workers', '0', '--quiet']);
    assert.deepEqual(resultsOf(out), resultsOf(reference));
    assert.match(
      logsOf(out),
      /task 1 = kld-bs64-lr0.05-seed0 of .* slurm job \d+ \(array \d+_1\).*SLURM_RESTART_COUNT=0/,
    );
  });

  it('requeues a running task, which resumes from its checkpoint with the same results', async () => {
    const config = join(root, 'toy.json');
    writeFileSync(config, JSON.stringify({ ...toyConfig, epochs: 6, batchSizes: [8], seeds: [0] }));
    const data = ['--synthetic', '64'];
    const out = join(root, 'toy-slurm');
    const starts = join(root, 'starts');
    const job = submit(config, data, out, ['--runner', toyRunnerPath], {
      TOY_EPOCH_MS: '700',
      TOY_STARTS_FILE: starts,
    });
    const victimId = 'kld-bs8-lr0.1-seed0';
    const checkpoint = join(out, 'runs', victimId, 'checkpoint.json');
    await until('a checkpoint of task 1', () => existsSync(checkpoint), 60_000);
    const victim = queued(job).find((line) => line.startsWith(`${job}_1 `));
    assert.ok(victim?.includes('RUNNING'), `task 1 is running: ${queued(job).join('; ')}`);
    const requeuedAt = Date.now();
    execFileSync('scontrol', ['requeue', `${job}_1`]);
    await until(
      'the requeued task to be pending',
      () => queued(job).some((l) => l.startsWith(`${job}_1 PENDING`)),
      30_000,
    );
    // Not `now`: slurmd refuses a launch credential created in the same second as the revocation of the
    // killed instance's ("Job credential revoked"), which failed the task about one time in five here.
    execFileSync('scontrol', ['update', `JobId=${job}_1`, 'StartTime=now+2']);
    await until(
      'the requeued task to start again',
      () => readFileSync(starts, 'utf8').trim().split('\n').length >= 3,
      60_000,
    );
    process.stderr.write(
      `slurm: the requeued task was training again ${elapsed(requeuedAt)} after scontrol requeue\n`,
    );
    await until('the array to finish', () => queued(job).length === 0, 120_000);
    const victimStarts = readFileSync(starts, 'utf8')
      .trim()
      .split('\n')
      .filter((l) => l.startsWith(`${victimId} `))
      .map((l) => Number(l.split(' ')[1]));
    assert.equal(victimStarts.length, 2, 'started, then started again after the requeue');
    assert.equal(victimStarts[0], 0);
    assert.ok((victimStarts[1] as number) >= 1, `resumed from its checkpoint (epoch ${victimStarts[1]})`);
    assert.match(logsOf(out), /task 1 = kld-bs8-lr0.1-seed0 .*SLURM_RESTART_COUNT=1/);
    assert.match(cli(['sweep', 'collect', out]), /2 of 2 runs have results/);
    const reference = join(root, 'toy-local');
    cli([
      'sweep',
      '--config',
      config,
      ...data,
      '--out',
      reference,
      '--runner',
      toyRunnerPath,
      '--workers',
      '0',
      '--quiet',
    ]);
    assert.deepEqual(resultsOf(out), resultsOf(reference));
  });
});
