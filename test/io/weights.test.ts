import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { loadWeights, saveWeights } from '../../src/io/weights.js';
import { resnetV1 } from '../../src/models/resnetV1.js';

const small = { depth: 8, inputShape: [8, 8, 3], numFilters: 2 } as const;
let dir: string;

before(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  dir = mkdtempSync(join(tmpdir(), 'sgdf-weights-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function snapshot(model: LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
}

test('saveWeights / loadWeights round-trip every weight, BN moving statistics included', async () => {
  const a = resnetV1({ ...small, seed: 1 });
  // Give the moving statistics non-default values, so that their saving is tested too.
  for (const w of a.nonTrainableWeights) w.write(tf.randomUniform(w.shape as number[], 0.5, 2, 'float32', 9));
  const b = resnetV1({ ...small, seed: 2 });
  const path = join(dir, 'a.safetensors');
  await saveWeights(a, path, { note: 'test' });
  assert.deepEqual(readdirSync(dir), ['a.safetensors'], 'no temporary file left behind');
  const metadata = await loadWeights(b, path);
  assert.deepEqual(metadata, { format: 'sgd-factors', model: 'resnet8_v1', note: 'test' });
  assert.deepEqual(snapshot(b), snapshot(a));

  const names = [...decodeSafetensors(readFileSync(path)).tensors.keys()];
  assert.ok(names.includes('stem_conv/kernel'));
  assert.ok(names.includes('stack2_block1_shortcut/kernel'));
  assert.ok(names.includes('stack3_block1_bn2/moving_variance'));
  assert.ok(names.includes('dense/bias'));
  assert.equal(names.length, a.weights.length);
  a.dispose();
  b.dispose();
});

test('a file for another architecture is refused with a clear error and the model is unchanged', async () => {
  const source = resnetV1({ ...small, seed: 1 });
  const path = join(dir, 'src.safetensors');
  await saveWeights(source, path);

  const deeper = resnetV1({ ...small, depth: 14, seed: 3 });
  const before = snapshot(deeper);
  await assert.rejects(
    loadWeights(deeper, path),
    /src\.safetensors: missing tensors 'stack1_block2_conv1\/kernel'/,
  );
  assert.deepEqual(snapshot(deeper), before);

  const wider = resnetV1({ ...small, numFilters: 4, seed: 3 });
  await assert.rejects(
    loadWeights(wider, path),
    /tensor 'stem_conv\/kernel' has shape \[3, 3, 3, 2\], model 'resnet8_v1' expects \[3, 3, 3, 4\]/,
  );

  const extra = join(dir, 'extra.safetensors');
  const tensors = decodeSafetensors(readFileSync(path)).tensors;
  tensors.set('unrelated/kernel', { dtype: 'F32', shape: [1], data: new Float32Array([1]) });
  writeFileSync(extra, encodeSafetensors(tensors));
  const target = resnetV1({ ...small, seed: 4 });
  await assert.rejects(
    loadWeights(target, extra),
    /1 tensor that model 'resnet8_v1' does not have \('unrelated\/kernel'\)/,
  );
  await loadWeights(target, extra, { strict: false });
  assert.deepEqual(snapshot(target), snapshot(source));

  const wrongDtype = join(dir, 'f64.safetensors');
  tensors.delete('unrelated/kernel');
  const k = tensors.get('dense/bias')!;
  tensors.set('dense/bias', { dtype: 'F64', shape: k.shape, data: Float64Array.from(k.data) });
  writeFileSync(wrongDtype, encodeSafetensors(tensors));
  await assert.rejects(
    loadWeights(target, wrongDtype),
    /tensor 'dense\/bias' has dtype F64, model weight needs F32/,
  );

  const truncated = join(dir, 'truncated.safetensors');
  const bytes = readFileSync(path);
  writeFileSync(truncated, bytes.subarray(0, bytes.length - 10));
  await assert.rejects(
    loadWeights(target, truncated),
    /truncated\.safetensors: truncated data: tensor '[^']+' ends at byte/,
  );
  await assert.rejects(
    loadWeights(target, join(dir, 'nope.safetensors')),
    /loadWeights: cannot read .*nope\.safetensors/,
  );
  for (const m of [source, deeper, wider, target]) m.dispose();
});

test('weights holding NaN, ±∞ or a negative batch-norm variance are refused with the tensor named; the model is unchanged', async () => {
  const source = resnetV1({ ...small, seed: 3 });
  const target = resnetV1({ ...small, seed: 4 });
  const path = join(dir, 'finite.safetensors');
  await saveWeights(source, path);
  const before = snapshot(target);
  const content = decodeSafetensors(readFileSync(path));
  const cases: [string, number, number, RegExp][] = [
    [
      'stack1_block1_conv1/kernel',
      5,
      Number.NaN,
      /tensor 'stack1_block1_conv1\/kernel' holds NaN at index 5; weights must be finite/,
    ],
    [
      'dense/bias',
      2,
      Number.POSITIVE_INFINITY,
      /tensor 'dense\/bias' holds Infinity at index 2; weights must be finite/,
    ],
    [
      'stem_bn/moving_variance',
      1,
      -0.5,
      /tensor 'stem_bn\/moving_variance' holds -0\.5 at index 1; a batch-norm moving variance cannot be negative/,
    ],
  ];
  for (const [name, index, value, message] of cases) {
    const tensor = content.tensors.get(name)!;
    const data = Float32Array.from(tensor.data as Float32Array);
    data[index] = value;
    const tensors = new Map(content.tensors);
    tensors.set(name, { ...tensor, data });
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, encodeSafetensors(tensors, content.metadata));
    await assert.rejects(loadWeights(target, bad), (error: Error) => {
      assert.match(error.message, message);
      assert.ok(error.message.startsWith(bad), error.message);
      return true;
    });
    assert.deepEqual(snapshot(target), before);
  }
  source.dispose();
  target.dispose();
});
