import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import { hessianOperator } from '../../src/curvature/hessianOperator.js';
import { KerasBatchNormalization } from '../../src/models/batchNormalization.js';
import { createRng } from '../../src/util/random.js';
import {
  avgPool64,
  batchNorm64,
  centralDifferenceHvp,
  conv2d64,
  dense64,
  softmaxCrossEntropy64,
  type Tensor64,
} from '../backend/float64Reference.js';

// Training-mode batch norm over many values per channel (32 images of 32×32: 32,768 per channel) with a
// mean far from zero (|mean|/sd ≈ 12), where a float32 running sum's error in the batch mean is amplified by
// the normalization's cancellation: the Hessian–vector product must still match float64 to 1e-5.

const N = 32;
const SIZE = 32;
const C = 2;
const K = 3;

function model(): tfl.LayersModel {
  const input = tfl.input({ shape: [SIZE, SIZE, 1] });
  let x = tfl.layers.conv2d({ filters: C, kernelSize: 1, name: 'conv' }).apply(input) as tfl.SymbolicTensor;
  x = new KerasBatchNormalization({ name: 'bn' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ activation: 'tanh' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.averagePooling2d({ poolSize: SIZE, strides: SIZE }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers
    .dense({ units: K, activation: 'softmax', name: 'dense' })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

const tanh64 = (t: Tensor64): Tensor64 => ({ values: t.values.map(Math.tanh), shape: t.shape });

test('train-mode batch norm: H·v on wasm equals the float64 reference to 1e-5', async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  const rng = createRng(21);
  const images = Float32Array.from({ length: N * SIZE * SIZE }, () => 3 + rng.normal());
  const labels = Array.from({ length: N }, () => rng.int(K));
  const m = model();
  const data = {
    images: tf.tensor4d(images, [N, SIZE, SIZE, 1]),
    labels: tf.tensor1d(labels, 'int32'),
    numClasses: K,
  };
  try {
    // conv kernel, conv bias (far from zero), gamma, beta, dense kernel, dense bias.
    const values = [
      [0.8, -0.6],
      [10, -7],
      [1.2, 0.7],
      [0.1, -0.2],
      Array.from({ length: C * K }, () => rng.normal()),
      [0.1, 0, -0.1],
    ];
    m.trainableWeights.forEach((w, i) => {
      w.write(tf.tensor(values[i]!, w.shape as number[]));
    });
    const w64 = Float64Array.from(values.flat());
    const x64: Tensor64 = { values: Float64Array.from(images), shape: [N, SIZE, SIZE, 1] };
    const f = (flat: Float64Array) => {
      const p = (start: number, length: number) => flat.subarray(start, start + length);
      const z = conv2d64(x64, { values: p(0, C), shape: [1, 1, 1, C] }, 1, 'valid', p(C, C));
      const a = tanh64(batchNorm64(z, p(2 * C, C), p(3 * C, C), 1e-3));
      const pooled = avgPool64(a, SIZE, SIZE, 'valid');
      const logits = dense64(
        { values: pooled.values, shape: [N, C] },
        { values: p(4 * C, C * K), shape: [C, K] },
        p(4 * C + C * K, K),
      );
      return softmaxCrossEntropy64(logits, labels);
    };
    const hessian = hessianOperator(m, data, { bnMode: 'train', batchSize: N, includeRegularization: false });
    for (const seed of [1, 2]) {
      const vr = createRng(seed);
      const v = Float64Array.from({ length: w64.length }, () => vr.normal());
      const reference = centralDifferenceHvp(f, w64, v, 1e-4);
      const hv = await hessian.matvec(v);
      const err = Math.hypot(...hv.map((t, i) => t - reference[i]!)) / Math.hypot(...reference);
      assert.ok(err <= 1e-5, `direction ${seed}: ‖Hv − ref‖/‖ref‖ = ${err.toExponential(2)}`);
    }
  } finally {
    m.dispose();
    tf.dispose([data.images, data.labels]);
  }
});
