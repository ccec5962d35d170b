// Ctrl-C during `train` says how to resume (src/cli/interrupt.ts), exits 130, and the command it names
// does continue from the checkpoint instead of starting over.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'sgdf-cli-interrupt-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const cliArgs = (...args: string[]) => ['--import', 'tsx', 'test/helpers/cli.ts', 'train', ...args];

test('Ctrl-C during train prints how to resume and exits 130; that command resumes', async () => {
  const out = join(root, 'run');
  const common = [
    '--synthetic',
    '200',
    '--model',
    'mlp',
    '--hidden',
    '16',
    '--batch-size',
    '20',
    '--lr',
    '0.05',
    '--lr-drops',
    '2',
  ];
  const child = spawn(process.execPath, cliArgs(...common, '--epochs', '100000', '--out', out), {
    env: { ...process.env, XDG_CACHE_HOME: join(root, 'cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let interrupted = false;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    // Epoch 2 has started, so epoch 1 is finished and checkpointed: interrupt now.
    if (!interrupted && /epoch 2\/100000/.test(stderr)) {
      interrupted = true;
      child.kill('SIGINT');
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`train did not reach epoch 2 within 120 s; stderr:\n${stderr}`));
    }, 120_000);
    child.on('exit', (c, s) => {
      clearTimeout(timer);
      done([c, s]);
    });
  });
  assert.ok(interrupted, `train ended before it was interrupted; stderr:\n${stderr}`);
  assert.equal(signal, null, 'train handles SIGINT itself rather than dying of it');
  assert.equal(code, 130, stderr);
  assert.match(
    stderr,
    new RegExp(
      `\\ninterrupted: every finished epoch is checkpointed in ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; continue with the same command and --resume\\n`,
    ),
  );

  // What it says works: with --resume the run continues after the checkpointed epoch(s), not from epoch 1.
  const resumed = spawnSync(process.execPath, cliArgs(...common, '--epochs', '3', '--resume', '--out', out), {
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: join(root, 'cache') },
  });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.doesNotMatch(resumed.stderr, /epoch 1\/3/);
  assert.match(resumed.stderr, /done: 3 epochs/);
});
