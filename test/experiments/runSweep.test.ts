import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Runner, SweepEvent } from '../../src/experiments/executor.js';
import { inProcessExecutor } from '../../src/experiments/inProcessExecutor.js';
import { readRunHistory } from '../../src/run/runDirectory.js';
import { runSweep } from '../../src/experiments/runSweep.js';
import { readSweepManifest } from '../../src/experiments/sweepDirectory.js';
import { workerPoolExecutor } from '../../src/experiments/workerPoolExecutor.js';
import { runner as toyRunner } from './fixtures/toyRunner.js';
import { resultsOf, toyConfig, toyData, toyRunnerPath } from './sweepHelpers.js';

const root = mkdtempSync(join(tmpdir(), 'run-sweep-'));
after(() => rmSync(root, { recursive: true, force: true }));
const quiet = { silent: true } as const;

describe('runSweep', () => {
  const reference = join(root, 'reference');

  it('runs every task of the grid, appends one line each and keeps each history', async () => {
    const events: SweepEvent[] = [];
    const summary = await runSweep({
      config: toyConfig,
      data: toyData,
      out: reference,
      executor: inProcessExecutor(toyRunner),
      onEvent: (e) => events.push(e),
      ...quiet,
    });
    assert.equal(summary.total, 8);
    assert.equal(summary.finished.length, 8);
    assert.deepEqual(summary.failed, []);
    const results = resultsOf(reference) as { id: string }[];
    assert.equal(results.length, 8);
    assert.deepEqual(results.map((r) => r.id).sort(), [...summary.finished].sort());
    for (const id of summary.finished) {
      assert.equal(readRunHistory(join(reference, 'runs', id)).length, 3);
      assert.ok(existsSync(join(reference, 'runs', id, 'result.json')));
    }
    assert.equal(events.filter((e) => e.type === 'progress' && e.progress.type === 'epoch').length, 8 * 3);
    const manifest = readSweepManifest(reference);
    assert.equal(manifest.hash, summary.hash);
    assert.deepEqual(manifest.config.batchSizes, [8, 16]);
  });

  it('skips finished runs when re-run', async () => {
    let calls = 0;
    const counting: Runner = {
      run: (task, ctx) => {
        calls += 1;
        return toyRunner.run(task, ctx);
      },
    };
    const summary = await runSweep({
      config: toyConfig,
      data: toyData,
      out: reference,
      executor: inProcessExecutor(counting),
      ...quiet,
    });
    assert.equal(calls, 0);
    assert.equal(summary.skipped.length, 8);
    assert.equal(resultsOf(reference).length, 8);
  });

  it('gives the same results on a pool of worker threads loading the runner from TypeScript', async () => {
    const out = join(root, 'pool');
    const workers = new Set<number>();
    const summary = await runSweep({
      config: toyConfig,
      data: toyData,
      out,
      executor: workerPoolExecutor({ workers: 2, runner: { url: toyRunnerPath } }),
      onEvent: (e) => workers.add(e.worker),
      ...quiet,
    });
    assert.deepEqual(summary.failed, []);
    assert.deepEqual(resultsOf(out), resultsOf(reference));
    assert.deepEqual([...workers].sort(), [0, 1]);
  });

  it('resumes an interrupted run from its checkpoint, with the results of an uninterrupted sweep', async () => {
    const out = join(root, 'interrupted');
    const victim = 'kld-bs8-lr0.05-seed0';
    const crashing: Runner = {
      run: (task, ctx) =>
        toyRunner.run(task, {
          ...ctx,
          report(progress) {
            ctx.report(progress);
            if (task.id === victim && progress.type === 'epoch' && progress.record.epoch === 1)
              throw new Error('simulated crash after the second checkpoint');
          },
        }),
    };
    const first = await runSweep({
      config: toyConfig,
      data: toyData,
      out,
      executor: inProcessExecutor(crashing),
      ...quiet,
    });
    assert.deepEqual(
      first.failed.map((f) => f.id),
      [victim],
    );
    assert.equal(resultsOf(out).length, 7);
    const resumedFrom: number[] = [];
    const second = await runSweep({
      config: toyConfig,
      data: toyData,
      out,
      executor: inProcessExecutor(toyRunner),
      onEvent: (e) => {
        if (e.type === 'progress' && e.progress.type === 'training') resumedFrom.push(e.progress.fromEpoch);
      },
      ...quiet,
    });
    assert.deepEqual(second.finished, [victim]);
    assert.deepEqual(resumedFrom, [2]);
    assert.deepEqual(resultsOf(out), resultsOf(reference));
  });

  it('appends a run whose result.json was written but whose line was not', async () => {
    const out = join(root, 'recover');
    await runSweep({
      config: toyConfig,
      data: toyData,
      out,
      executor: inProcessExecutor(toyRunner),
      ...quiet,
    });
    const lines = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(join(out, 'results.jsonl'), `${lines.slice(0, 5).join('\n')}\n`);
    const summary = await runSweep({
      config: toyConfig,
      data: toyData,
      out,
      executor: inProcessExecutor(toyRunner),
      ...quiet,
    });
    assert.equal(summary.recovered.length, 3);
    assert.equal(summary.finished.length, 0);
    assert.deepEqual(resultsOf(out), resultsOf(reference));
  });

  it('refuses a different config in a sweep directory, naming the differences', async () => {
    await assert.rejects(
      runSweep({
        config: { ...toyConfig, epochs: 4 },
        data: toyData,
        out: reference,
        executor: inProcessExecutor(toyRunner),
        ...quiet,
      }),
      /holds results of a different sweep .*epochs: 3 before, 4 now/,
    );
    await assert.rejects(
      runSweep({
        config: toyConfig,
        data: { ...toyData, params: { ...toyData.params, seed: 4 } },
        out: reference,
        executor: inProcessExecutor(toyRunner),
        ...quiet,
      }),
      /data.params.seed: 3 before, 4 now/,
    );
    assert.equal(resultsOf(reference).length, 8, 'the results are untouched');
    const stranger = join(root, 'stranger');
    mkdirSync(stranger);
    writeFileSync(join(stranger, 'notes.txt'), 'mine');
    await assert.rejects(
      runSweep({
        config: toyConfig,
        data: toyData,
        out: stranger,
        executor: inProcessExecutor(toyRunner),
        ...quiet,
      }),
      /is not empty and has no sweep.json/,
    );
  });

  it('reports a failing run, finishes the others, and refuses data too small for the config', async () => {
    const out = join(root, 'failing');
    process.env['TOY_FAIL_ID'] = 'kld-bs16-lr0.1-seed1';
    try {
      const summary = await runSweep({
        config: toyConfig,
        data: toyData,
        out,
        executor: workerPoolExecutor({ workers: 2, runner: { url: toyRunnerPath } }),
        ...quiet,
      });
      assert.deepEqual(summary.failed, [
        { id: 'kld-bs16-lr0.1-seed1', error: 'toy failure injected for kld-bs16-lr0.1-seed1' },
      ]);
      assert.equal(summary.finished.length, 7);
    } finally {
      delete process.env['TOY_FAIL_ID'];
    }
    await assert.rejects(
      runSweep({
        config: toyConfig,
        data: { ...toyData, trainSize: 32 },
        out: join(root, 'small'),
        executor: inProcessExecutor(toyRunner),
        ...quiet,
      }),
      /the data's trainSize\/testSize \(32\/32\) are not the config's trainSize\/validationSize \(64\/32\)/,
    );
  });

  it('rejects when workers cannot load their runner', async () => {
    await assert.rejects(
      runSweep({
        config: toyConfig,
        data: toyData,
        out: join(root, 'broken'),
        executor: workerPoolExecutor({ workers: 1, runner: { url: toyRunnerPath, exportName: 'nope' } }),
        ...quiet,
      }),
      /could not set up its runner: .*has no export 'nope'/,
    );
  });
});
