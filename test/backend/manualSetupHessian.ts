// The check shared by manualSetupWasm.test.ts and manualSetupCpu.test.ts: with tfjs set up by hand (no
// initBackend, nothing of this library registered), hessianOperator must still give the exact Hessian of
// a small conv net, compared entry by entry with float64 central differences of a plain-JS forward pass.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { hessianOperator } from '../../src/curvature/hessianOperator.js';
import type { Dataset } from '../../src/data/dataset.js';
import type { LossFunction } from '../../src/train/losses.js';
import { createRng } from '../../src/util/random.js';
import {
  centralDifferenceHvp,
  conv2d64,
  dense64,
  relu64,
  softmaxCrossEntropy64,
  type Tensor64,
} from './float64Reference.js';

const N = 6;
const X_SHAPE: [number, number, number, number] = [N, 3, 3, 1];
const SHAPES = [[2, 2, 1, 2], [2], [8, 3], [3]];
const SIZES = SHAPES.map((s) => s.reduce((a, b) => a * b, 1));
const D = SIZES.reduce((a, b) => a + b, 0);

/** −Σ t·log p on softmax outputs: a custom loss whose Hessian goes through tfjs's Softmax gradient. */
const customCrossEntropy: LossFunction = (target, outputs) =>
  tf.tidy(() => tf.neg(tf.sum(tf.mul(target, tf.log(outputs)), -1)) as tf.Tensor1D);

function forward64(x: Tensor64, labels: number[], flat: Float64Array, signs?: boolean[]): number {
  const parts: Float64Array[] = [];
  let offset = 0;
  for (const size of SIZES) {
    parts.push(flat.subarray(offset, offset + size));
    offset += size;
  }
  const [w1, b1, w2, b2] = parts as [Float64Array, Float64Array, Float64Array, Float64Array];
  const z = conv2d64(x, { values: w1, shape: SHAPES[0]! }, 1, 'valid', b1);
  const r = relu64(z, signs);
  const logits = dense64({ values: r.values, shape: [N, 8] }, { values: w2, shape: SHAPES[2]! }, b2);
  return softmaxCrossEntropy64(logits, labels);
}

/** Max |H − H64| over max |H64|, for the named 'kld' loss and a custom cross-entropy. */
export async function manualSetupHessianErrors(): Promise<{ kld: number; custom: number }> {
  const rng = createRng(11);
  const xs = Float32Array.from({ length: X_SHAPE.reduce((a, b) => a * b, 1) }, () => rng.normal());
  const labels = Array.from({ length: N }, (_, i) => i % 3);
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [3, 3, 1], filters: 2, kernelSize: 2, activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  const weights = SHAPES.map((shape) =>
    tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 0.6 * rng.normal()),
      shape,
    ),
  );
  model.setWeights(weights);
  const flat = new Float64Array(D);
  let offset = 0;
  for (const w of weights) {
    flat.set(w.dataSync(), offset);
    offset += w.size;
  }
  tf.dispose(weights);
  const data: Dataset = {
    images: tf.tensor4d(xs, [...X_SHAPE]),
    labels: tf.tensor1d(labels, 'int32'),
    numClasses: 3,
  };
  const x64: Tensor64 = { values: Float64Array.from(xs), shape: [...X_SHAPE] };
  // Central differences are only valid away from the ReLU's kink: every pre-activation must be far from 0.
  const pre = conv2d64(
    x64,
    { values: flat.subarray(0, 8), shape: SHAPES[0]! },
    1,
    'valid',
    flat.subarray(8, 10),
  );
  const margin = Math.min(...Array.from(pre.values, Math.abs));
  assert.ok(margin > 1e-2, `a pre-activation is ${margin} from the ReLU kink`);

  const reference = new Float64Array(D * D);
  const e = new Float64Array(D);
  for (let j = 0; j < D; j++) {
    e.fill(0);
    e[j] = 1;
    reference.set(
      centralDifferenceHvp((w) => forward64(x64, labels, w), flat, e, 1e-4),
      j * D,
    );
  }
  const errorOf = async (loss: 'kld' | LossFunction) => {
    const op = hessianOperator(model, data, { loss, batchSize: 4 });
    let diff = 0;
    let scale = 0;
    for (let j = 0; j < D; j++) {
      e.fill(0);
      e[j] = 1;
      const column = await op.matvec(e);
      for (let i = 0; i < D; i++) {
        diff = Math.max(diff, Math.abs(column[i]! - reference[j * D + i]!));
        scale = Math.max(scale, Math.abs(reference[j * D + i]!));
      }
    }
    return diff / scale;
  };
  try {
    const before = tf.memory().numTensors;
    const kld = await errorOf('kld');
    const custom = await errorOf(customCrossEntropy);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    return { kld, custom };
  } finally {
    tf.dispose([data.images, data.labels]);
    model.dispose();
  }
}
