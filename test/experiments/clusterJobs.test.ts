import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { indexedJobManifest, slurmArrayScript } from '../../src/experiments/clusterJobs.js';

const golden = (name: string) => new URL(`./golden/${name}`, import.meta.url).pathname;
const job = { dir: '/shared/sweeps/table1', name: 'table1', tasks: 45, maxParallel: 8, cpusPerTask: 4 };

/** Compares with a golden file; UPDATE_GOLDEN=1 rewrites it (review the diff). */
function matchesGolden(text: string, name: string): void {
  if (process.env['UPDATE_GOLDEN']) writeFileSync(golden(name), text);
  assert.equal(text, readFileSync(golden(name), 'utf8'));
}

describe('cluster job files', () => {
  it('writes the sbatch script of a job array (golden file), valid bash', () => {
    const script = slurmArrayScript(job, { partition: 'gpu', gres: 'gpu:1', time: '12:00:00' });
    matchesGolden(script, 'sweep.sbatch');
    const syntax = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    assert.equal(syntax.status, 0, syntax.stderr);
    const bare = slurmArrayScript({ dir: "/data/it's here", name: 'x', tasks: 3 });
    assert.match(bare, /^#SBATCH --array=0-2$/m);
    assert.doesNotMatch(bare, /--partition|--gres|--time|--cpus-per-task/);
    assert.match(bare, /sweep run --out '\/data\/it'\\''s here' "\$@" &/);
    assert.throws(() => slurmArrayScript({ ...job, tasks: 0 }), /job.tasks must be a positive integer/);
  });

  it('writes the Indexed Job manifest (golden file)', () => {
    matchesGolden(indexedJobManifest(job, { image: 'registry.example.org/sgd-factors:0.1.0' }), 'job.yaml');
    assert.match(
      indexedJobManifest({ ...job, name: 'Table 1 (logloss)' }, { image: 'i' }),
      /name: sgd-factors-table-1-logloss$/m,
    );
    assert.throws(() => indexedJobManifest(job, { image: '' }), /kubernetes.image is required/);
  });
});
