import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { crossEntropyFromLogits, crossEntropyFromProbabilities } from '../../src/train/crossEntropyLoss.js';
import { kldLoss } from '../../src/train/kldLoss.js';
import { resolveLoss } from '../../src/train/losses.js';
import { squaredErrorLoss } from '../../src/train/squaredErrorLoss.js';
import { createRng } from '../../src/util/random.js';

before(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

const EPS = 1e-7;
const rng = createRng(21);

/** Random probability rows (some entries tiny, to exercise the clipping). */
function probabilities(b: number, k: number): number[][] {
  return Array.from({ length: b }, () => {
    const raw = Array.from({ length: k }, () => Math.exp(6 * rng.normal()));
    const s = raw.reduce((a, v) => a + v, 0);
    return raw.map((v) => v / s);
  });
}

function oneHot(labels: number[], k: number): number[][] {
  return labels.map((y) => Array.from({ length: k }, (_, j) => (j === y ? 1 : 0)));
}

function run(fn: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor1D, a: number[][], b: number[][]): number[] {
  const t = tf.tidy(() => fn(tf.tensor2d(a), tf.tensor2d(b)));
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

/** Float32 inputs to float64 references: compare after rounding the inputs the same way. */
const f32 = (rows: number[][]) => rows.map((r) => r.map((v) => Math.fround(v)));
const clip = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

test("'kld' is Keras' KL divergence: clip both to [1e-7, 1], Σ y·log(y/p)", () => {
  const p = f32(probabilities(6, 5));
  const y = f32(probabilities(6, 5));
  const actual = run(kldLoss, y, p);
  p.forEach((row, i) => {
    const expected = row.reduce((s, pk, k) => {
      const t = clip(y[i]![k]!, EPS, 1);
      return s + t * Math.log(t / clip(pk, EPS, 1));
    }, 0);
    assert.ok(
      Math.abs(actual[i]! - expected) < 1e-5 * Math.max(1, Math.abs(expected)),
      `${actual[i]} vs ${expected}`,
    );
  });
});

test("with one-hot labels 'kld' equals 'crossEntropy' to within the clipping term", () => {
  const p = f32(probabilities(50, 10));
  const labels = p.map(() => rng.int(10));
  const y = oneHot(labels, 10);
  const kld = run(kldLoss, y, p);
  const ce = run(crossEntropyFromProbabilities, y, p);
  p.forEach((row, i) => {
    // KLD − CE = Σ_{k≠y} 1e-7·log(1e-7/p̂_k) (+ CE's own clip at 1 − 1e-7, and its renormalization, both ≤ ~1e-7).
    const clipping = row.reduce(
      (s, pk, k) => (k === labels[i] ? s : s + EPS * Math.log(EPS / clip(pk, EPS, 1))),
      0,
    );
    const bound = Math.abs(clipping) + 2e-7 + 2e-6 * Math.max(1, ce[i]!);
    assert.ok(Math.abs(kld[i]! - ce[i]!) <= bound, `example ${i}: |${kld[i]} − ${ce[i]}| > ${bound}`);
  });
  // The clipping term is not zero: the two are close, not identical.
  assert.ok(kld.some((v, i) => v !== ce[i]));
});

test('crossEntropy from logits is exact where probabilities would clip', () => {
  const z = [
    [100, -100, 0],
    [0.5, 0.25, -3],
    [-50, 60, 59],
  ];
  const y = oneHot([1, 0, 2], 3);
  const actual = run(crossEntropyFromLogits, y, z);
  z.forEach((row, i) => {
    const top = Math.max(...row);
    const lse = top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0));
    const expected = lse - row[[1, 0, 2][i]!]!;
    assert.ok(Math.abs(actual[i]! - expected) < 1e-4 * Math.max(1, expected), `${actual[i]} vs ${expected}`);
  });
  // Example 0 has loss 200: from clipped probabilities it would be −log(1e-7) ≈ 16.1.
  assert.ok(actual[0]! > 199);
});

test("'squaredError' is Σ (y − p)² over classes", () => {
  const p = f32(probabilities(4, 6));
  const y = oneHot([0, 5, 2, 2], 6);
  const actual = run(squaredErrorLoss, y, p);
  p.forEach((row, i) => {
    const expected = row.reduce((s, pk, k) => s + (y[i]![k]! - pk) ** 2, 0);
    assert.ok(Math.abs(actual[i]! - expected) < 1e-6);
  });
});

test('resolveLoss applies each loss to the right kind of output', () => {
  const z = [
    [1, 2, -1],
    [0, 0, 3],
  ];
  const y = oneHot([0, 2], 3);
  const softmax = z.map((row) => {
    const e = row.map(Math.exp);
    const s = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / s);
  });
  const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 1e-6);
  // On a logits model, 'kld' and 'squaredError' are those of the softmax.
  assert.ok(close(run(resolveLoss('kld', 'logits').perExample, y, z), run(kldLoss, y, softmax)));
  assert.ok(
    close(run(resolveLoss('squaredError', 'logits').perExample, y, z), run(squaredErrorLoss, y, softmax)),
  );
  assert.ok(
    close(run(resolveLoss('crossEntropy', 'logits').perExample, y, z), run(crossEntropyFromLogits, y, z)),
  );
  const onProbabilities = resolveLoss('crossEntropy', 'probabilities');
  assert.equal(onProbabilities.perExample, crossEntropyFromProbabilities);
  assert.equal(resolveLoss('kld', 'probabilities').perExample, kldLoss);
  const custom = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.sum(tf.mul(a, b), -1) as tf.Tensor1D;
  assert.deepEqual(resolveLoss(custom, 'logits'), { name: 'custom', outputs: 'logits', perExample: custom });
  assert.throws(
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
    () => resolveLoss('mse' as any, 'logits'),
    /unknown loss 'mse'; use 'kld', 'crossEntropy', 'squaredError'/,
  );
  // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
  assert.throws(() => resolveLoss('kld', 'scores' as any), /outputs must be 'probabilities' or 'logits'/);
});
