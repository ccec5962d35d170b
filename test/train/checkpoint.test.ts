import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { mlp } from '../../src/models/mlp.js';
import { readCheckpointState, restoreCheckpoint, writeCheckpoint } from '../../src/train/checkpoint.js';

const root = mkdtempSync(join(tmpdir(), 'checkpoint-'));
after(() => rmSync(root, { recursive: true, force: true }));
before(async () => {
  await initBackend({ quiet: true });
});

const state = (epochsCompleted: number) => ({ epochsCompleted, fingerprint: {}, history: [] });
const epochFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('epoch-'))
    .sort();

test('writeCheckpoint removes older epochs but never the file checkpoint.json names, nor a newer one', async () => {
  const dir = join(root, 'ckpt');
  const model = mlp({ inputShape: [3], numClasses: 2, hidden: [4], seed: 1 });
  const before = tf.memory().numTensors;
  try {
    await writeCheckpoint(dir, model, new Map(), state(1));
    await writeCheckpoint(dir, model, new Map(), state(2));
    assert.deepEqual(epochFiles(dir), ['epoch-0002.weights.safetensors']);
    // A second writer of the same directory (what a run lease prevents) saves epoch 3 first; the slower
    // one then saves epoch 2 again: its clean-up must keep epoch 3's file, which may be pointed to next.
    await writeCheckpoint(dir, model, new Map(), state(3));
    await writeCheckpoint(dir, model, new Map(), state(2));
    assert.equal(readCheckpointState(dir)?.epochsCompleted, 2);
    assert.deepEqual(epochFiles(dir), ['epoch-0002.weights.safetensors', 'epoch-0003.weights.safetensors']);
    const saved = readCheckpointState(dir);
    assert.ok(saved);
    restoreCheckpoint(dir, saved, model);
    await writeCheckpoint(dir, model, new Map(), state(4));
    assert.deepEqual(epochFiles(dir), ['epoch-0004.weights.safetensors']);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file left',
    );
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  } finally {
    model.dispose();
  }
});
