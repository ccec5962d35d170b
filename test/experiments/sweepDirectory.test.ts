import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readSweepManifest } from '../../src/experiments/sweepDirectory.js';
import { readPlannedSweep } from '../../src/experiments/sweepTaskList.js';

const root = mkdtempSync(join(tmpdir(), 'sweep-directory-'));
after(() => rmSync(root, { recursive: true, force: true }));
const fixture = new URL('./fixtures/openMany.ts', import.meta.url).pathname;

function openMany(count: number): Promise<{ failures: number; first: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, root, String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}`))));
  });
}

describe('openSweepDirectory', () => {
  it('creates new directories race-free: two processes × 1,000 directories, no failure, one complete sweep.json each', async () => {
    const results = await Promise.all([openMany(1000), openMany(1000)]);
    assert.deepEqual(results, [
      { failures: 0, first: [] },
      { failures: 0, first: [] },
    ]);
    const dirs = readdirSync(root);
    assert.equal(dirs.length, 1000);
    const hashes = new Set(dirs.map((d) => readSweepManifest(join(root, d)).hash));
    assert.equal(hashes.size, 1);
    for (const d of dirs) {
      assert.equal(readPlannedSweep(join(root, d)).tasks.length, 8);
      assert.deepEqual(
        readdirSync(join(root, d)).sort(),
        ['runs', 'sweep.json', 'tasks.json'],
        'no temporary file left',
      );
    }
  });
});
