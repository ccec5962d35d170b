// Exact Hessian-vector products through convolutions (stride 1 and 2, 'same' padding), ReLU and average
// pooling, checked against a float64 plain-JS forward pass: vᵀHv against its second difference, and H·v
// against the central difference of a float64 gradient obtained by differencing again. Plus ResNet-level
// checks (symmetry, cpu = wasm, chunk independence, train-mode state, memory) on a small ResNet-8.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import { hessianOperator } from '../../src/curvature/hessianOperator.js';
import { flattenTensors } from '../../src/curvature/parameterVector.js';
import type { Dataset } from '../../src/data/dataset.js';
import { resnetV1 } from '../../src/models/resnetV1.js';
import { createRng } from '../../src/util/random.js';
import { randomVector, relativeError, softmaxCrossEntropy } from './regressionFixtures.js';

before(async () => {
  await initBackend({ quiet: true });
});

const H = 6;
const C = 2;
const F1 = 3;
const F2 = 2;
const K = 3;

/** conv(3×3, F1, stride 1, same) → relu → conv(3×3, F2, stride 2, same) → relu → avgpool(3) → dense(K). */
function convNet(seed: number): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [H, H, C],
        filters: F1,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: tfl.initializers.heNormal({ seed }),
        biasInitializer: tfl.initializers.randomNormal({ seed: seed + 1, stddev: 0.1 }),
        activation: 'relu',
      }),
      tfl.layers.conv2d({
        filters: F2,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        kernelInitializer: tfl.initializers.heNormal({ seed: seed + 2 }),
        activation: 'relu',
        kernelRegularizer: tfl.regularizers.l2({ l2: 0.01 }),
      }),
      tfl.layers.averagePooling2d({ poolSize: 3, strides: 3 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: K, kernelInitializer: tfl.initializers.heNormal({ seed: seed + 3 }) }),
    ],
  });
}

/** A 'same' convolution in float64, TF padding (the extra row/column of an odd total goes at the end). */
function conv(
  x: Float64Array,
  size: number,
  inC: number,
  kernel: Float64Array,
  bias: Float64Array | undefined,
  outC: number,
  stride: number,
): { y: Float64Array; size: number } {
  const out = Math.ceil(size / stride);
  const padTotal = Math.max((out - 1) * stride + 3 - size, 0);
  const pad = Math.floor(padTotal / 2);
  const y = new Float64Array(out * out * outC);
  for (let i = 0; i < out; i++)
    for (let j = 0; j < out; j++)
      for (let o = 0; o < outC; o++) {
        let s = bias ? bias[o]! : 0;
        for (let di = 0; di < 3; di++)
          for (let dj = 0; dj < 3; dj++) {
            const r = i * stride + di - pad;
            const c = j * stride + dj - pad;
            if (r < 0 || r >= size || c < 0 || c >= size) continue;
            for (let ch = 0; ch < inC; ch++)
              s += x[(r * size + c) * inC + ch]! * kernel[((di * 3 + dj) * inC + ch) * outC + o]!;
          }
        y[(i * out + j) * outC + o] = s;
      }
  return { y, size: out };
}

/** The objective (mean softmax cross-entropy + 0.01·‖kernel₂‖²) at θ, in float64. */
function objective64(theta: Float64Array, images: Float64Array[], labels: number[]): number {
  let o = 0;
  const take = (n: number) => theta.subarray(o, (o += n));
  const k1 = take(9 * C * F1);
  const b1 = take(F1);
  const k2 = take(9 * F1 * F2);
  const b2 = take(F2);
  const w = take(F2 * K);
  const b = take(K);
  let total = 0;
  images.forEach((img, n) => {
    const a = conv(img, H, C, k1, b1, F1, 1);
    const h1 = a.y.map((v) => Math.max(v, 0));
    const c2 = conv(h1, a.size, F1, k2, b2, F2, 2);
    const h2 = c2.y.map((v) => Math.max(v, 0));
    const pooled = Array.from({ length: F2 }, (_, f) => {
      let s = 0;
      for (let p = 0; p < 9; p++) s += h2[p * F2 + f]!;
      return s / 9;
    });
    const z = Array.from(
      { length: K },
      (_, k) => b[k]! + pooled.reduce((s, v, f) => s + v * w[f * K + k]!, 0),
    );
    total += Math.log(z.reduce((s, v) => s + Math.exp(v), 0)) - z[labels[n]!]!;
  });
  let penalty = 0;
  for (const x of k2) penalty += 0.01 * x * x;
  return total / images.length + penalty;
}

test('conv net (stride 1 and 2, ReLU, average pooling): H·v matches float64 differences of the objective', async () => {
  const rng = createRng(3);
  const n = 5;
  const pixels = Float32Array.from({ length: n * H * H * C }, () => rng.normal());
  const labels = Array.from({ length: n }, () => rng.int(K));
  const data: Dataset = {
    images: tf.tensor4d(pixels, [n, H, H, C]),
    labels: tf.tensor1d(labels, 'int32'),
    numClasses: K,
  };
  const model = convNet(7);
  try {
    const op = hessianOperator(model, data, { loss: softmaxCrossEntropy, batchSize: 2 });
    const theta = flattenTensors(op.objective.variables);
    const images = Array.from({ length: n }, (_, i) =>
      Float64Array.from(pixels.subarray(i * H * H * C, (i + 1) * H * H * C)),
    );
    const f = (t: Float64Array) => objective64(t, images, labels);
    // The oracle must be the same function: compare the values first.
    const { loss, regularization } = await op.lossAndGradient();
    assert.ok(regularization > 0);
    assert.ok(Math.abs(loss - f(theta)) < 1e-5 * Math.abs(loss));

    const v = randomVector(op.dim, 11);
    const hv = await op.matvec(v);
    // Second difference along v: truncation O(ε²) and rounding ~1e-16·f/ε² are both below 1e-7 here.
    const eps = 1e-4;
    const along = (s: number) => f(theta.map((x, i) => x + s * eps * v[i]!));
    const quadratic = (along(1) - 2 * along(0) + along(-1)) / (eps * eps);
    const vhv = hv.reduce((s, x, i) => s + x * v[i]!, 0);
    assert.ok(Math.abs(vhv - quadratic) < 1e-4 * Math.abs(quadratic), `vᵀHv ${vhv} vs ${quadratic}`);

    // Rows: (H·v)_q = ∂²f/∂θ_q∂v, a mixed second difference, for a sample of coordinates.
    const sample = [0, 5, 20, 53, 60, 70, op.dim - 1];
    const h = 1e-4;
    for (const q of sample) {
      const at = (s: number, t: number) => f(theta.map((x, i) => x + s * h * v[i]! + (i === q ? t * h : 0)));
      const mixed = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h);
      assert.ok(
        Math.abs(hv[q]! - mixed) < 2e-4 * Math.max(1, Math.abs(mixed)),
        `row ${q}: ${hv[q]} vs ${mixed}`,
      );
    }
  } finally {
    tf.dispose([data.images, data.labels]);
    model.dispose();
  }
});

function smallResnet(): { model: tfl.LayersModel; data: Dataset; dispose(): void } {
  const model = resnetV1({ depth: 8, seed: 5, inputShape: [8, 8, 3], numFilters: 4, numClasses: 4 });
  const rng = createRng(9);
  const n = 12;
  const images = tf.tensor4d(
    Float32Array.from({ length: n * 8 * 8 * 3 }, () => rng.normal()),
    [n, 8, 8, 3],
  );
  const labels = tf.tensor1d(
    Array.from({ length: n }, () => rng.int(4)),
    'int32',
  );
  // Moving statistics away from (0, 1), so train and inference modes differ.
  for (const w of model.nonTrainableWeights) {
    const value = tf.tidy(() => tf.add(tf.mul(w.read(), 1.5), 0.1));
    w.write(value);
    value.dispose();
  }
  return {
    model,
    data: { images, labels, numClasses: 4 },
    dispose() {
      tf.dispose([images, labels]);
      model.dispose();
    },
  };
}

test('ResNet-8 (kld on softmax): symmetric, equal on cpu and wasm, chunk-independent, no leaks', async () => {
  const r = smallResnet();
  try {
    const v = randomVector(
      r.model.trainableWeights.reduce((s, w) => s + w.read().size, 0),
      1,
    );
    const w = randomVector(v.length, 2);
    const op = hessianOperator(r.model, r.data, { loss: 'kld', batchSize: 5 });
    const hv = await op.matvec(v);
    const hw = await op.matvec(w);
    const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    assert.ok(Math.abs(dot(w, hv) - dot(v, hw)) < 1e-4 * Math.sqrt(dot(hv, hv) * dot(w, w)));
    const whole = await hessianOperator(r.model, r.data, { loss: 'kld', batchSize: 12 }).matvec(v);
    assert.ok(relativeError(whole, hv) < 1e-4);
    const start = tf.memory().numTensors;
    await op.matvec(v);
    await op.lossAndGradient();
    assert.equal(tf.memory().numTensors, start);
    await initBackend({ backend: 'cpu', quiet: true });
    try {
      const cpu = await hessianOperator(r.model, r.data, { loss: 'kld', batchSize: 5 }).matvec(v);
      assert.ok(relativeError(cpu, hv) < 1e-4, `cpu vs wasm ${relativeError(cpu, hv)}`);
    } finally {
      await initBackend({ backend: 'wasm', quiet: true });
    }
  } finally {
    r.dispose();
  }
});

test("ResNet-8 in bnMode 'train': symmetric, differs from inference, moving statistics untouched", async () => {
  const r = smallResnet();
  try {
    const before = r.model.nonTrainableWeights.map((w) => Array.from(w.read().dataSync()));
    const train = hessianOperator(r.model, r.data, { loss: 'kld', batchSize: 6, bnMode: 'train' });
    const v = randomVector(train.dim, 3);
    const w = randomVector(train.dim, 4);
    const hv = await train.matvec(v);
    const hw = await train.matvec(w);
    await train.lossAndGradient();
    const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    assert.ok(Math.abs(dot(w, hv) - dot(v, hw)) < 1e-4 * Math.sqrt(dot(hv, hv) * dot(w, w)));
    const inference = await hessianOperator(r.model, r.data, { loss: 'kld', batchSize: 6 }).matvec(v);
    assert.ok(relativeError(hv, inference) > 1e-2);
    assert.deepEqual(
      r.model.nonTrainableWeights.map((x) => Array.from(x.read().dataSync())),
      before,
    );
  } finally {
    r.dispose();
  }
});
