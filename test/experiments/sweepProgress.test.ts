import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration } from '../../src/experiments/formatDuration.js';
import type { RunRecord } from '../../src/run/runResult.js';
import { validateSweepConfig } from '../../src/experiments/sweepConfig.js';
import { createSweepProgress } from '../../src/experiments/sweepProgress.js';
import { sweepTasks } from '../../src/experiments/sweepTask.js';
import { toyConfig, toyData } from './sweepHelpers.js';

const tasks = sweepTasks(validateSweepConfig(toyConfig), toyData, '/tmp/x');
/** The record of (1-based) epoch `n`. */
const epoch = (n: number, seconds: number) => ({
  epoch: n - 1,
  lr: 0.1,
  loss: 0.5,
  regularization: 0,
  accuracy: 0.8,
  valLoss: 0.6,
  valAccuracy: 0.75,
  examples: 64,
  trainSeconds: seconds,
  seconds,
});
const sink = (isTTY: boolean) => {
  const sinkObject = { text: '', isTTY, columns: 200, write: (s: string) => (sinkObject.text += s) };
  return sinkObject;
};

describe('createSweepProgress', () => {
  it('prints plain lines off a terminal, with an estimate after the first epoch and an ETA', () => {
    const stream = sink(false);
    const progress = createSweepProgress({ tasks, concurrency: 2, stream });
    const id = tasks[0]?.id as string;
    progress.event({ type: 'started', taskId: id, worker: 0 });
    progress.event({ type: 'progress', taskId: id, worker: 0, progress: { type: 'training', fromEpoch: 1 } });
    progress.event({
      type: 'progress',
      taskId: id,
      worker: 0,
      progress: { type: 'epoch', epochs: 3, record: epoch(2, 10) },
    });
    // 8 runs × 3 epochs, 2 done by this run (one before a resume): 22 epochs of 10 s on 2 workers.
    assert.equal(progress.etaSeconds(), 110);
    assert.match(stream.text, /\[w0\] kld-bs8-lr0.05-seed0 started\n/);
    assert.match(stream.text, /resumed after epoch 1\/3/);
    assert.match(
      stream.text,
      /the first epoch took 10s; 22 more epochs on 2 workers → about 1m50s of training/,
    );
    assert.match(
      stream.text,
      /epoch 2\/3 loss 0.5 acc 0.8 val 0.75 \(10s\/epoch\) run eta 10s, sweep eta 1m50s/,
    );
    assert.ok(!stream.text.includes('\x1b['), 'no escape sequences off a terminal');
    progress.event({ type: 'failed', taskId: id, worker: 0, error: 'boom' });
    progress.done();
    assert.match(stream.text, /FAILED: boom/);
    assert.match(stream.text, /sweep: 0\/8 runs done, 1 failed/);
  });

  it('redraws one line per worker on a terminal', () => {
    const stream = sink(true);
    const progress = createSweepProgress({ tasks, concurrency: 2, stream, alreadyDone: 0 });
    const [a, b] = [tasks[0]?.id as string, tasks[1]?.id as string];
    progress.event({ type: 'started', taskId: a, worker: 0 });
    progress.event({ type: 'started', taskId: b, worker: 1 });
    stream.text = '';
    progress.event({
      type: 'progress',
      taskId: b,
      worker: 1,
      progress: { type: 'epoch', epochs: 3, record: epoch(1, 4) },
    });
    // erase the 3 lines drawn before (summary + two workers), print the estimate, redraw them
    assert.ok(stream.text.startsWith('\x1b[3A\x1b[0J'), JSON.stringify(stream.text.slice(0, 20)));
    const lastDraw = stream.text.slice(stream.text.lastIndexOf('\x1b[0J') + 4);
    const lines = lastDraw.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0] as string, /^sweep: 0\/8 runs done, elapsed \d+s, eta /);
    assert.match(lines[1] as string, /^ {2}\[w0\] kld-bs8-lr0.05-seed0 starting/);
    assert.match(lines[2] as string, /^ {2}\[w1\] kld-bs8-lr0.1-seed0 epoch 1\/3 loss 0.5 .* eta 8s$/);
    const record = {
      measurement: {
        traceH: { estimate: 1, standardError: 0 },
        traceSigma: { estimate: 2, standardError: 0 },
      },
      final: epoch(3, 1),
    } as unknown as RunRecord;
    progress.event({ type: 'finished', taskId: a, worker: 0, record });
    progress.done();
    assert.match(stream.text, /kld-bs8-lr0.05-seed0 done: val acc 0.75, Tr H 1 ± 0, tr σ² 2 ± 0 \(1\/8\)/);
  });

  it('formatDuration', () => {
    assert.deepEqual([5, 65, 3 * 3600 + 120, 2 * 86400 + 3 * 3600, Number.NaN].map(formatDuration), [
      '5s',
      '1m05s',
      '3h02m',
      '2d03h',
      '?',
    ]);
  });
});
