import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import { createRng } from '../../src/util/random.js';
import {
  avgPool64,
  batchNorm64,
  centralDifferenceHvp,
  conv2d64,
  dense64,
  relu64,
  softmaxCrossEntropy64,
  type Tensor64,
} from './float64Reference.js';

// Exact Hessian-vector products of a tfjs-layers model — Conv2D (with bias, run as tfjs' fused conv),
// BatchNormalization, ReLU, AveragePooling2D, Flatten, Dense(softmax), Keras categorical cross-entropy —
// by nested tf.variableGrads (Hv = ∇(∇L·v)), in training and inference mode, on cpu and wasm. Checked
// against float64 central differences of a plain-JS copy of the model, across backends, and for
// symmetry (uᵀHv = vᵀHu).

const X_SHAPE: [number, number, number, number] = [4, 6, 6, 2];
const LABELS = [0, 1, 2, 1];
const BN_EPSILON = 1e-3; // tfjs-layers' default
// The relative accuracy measured for this model is ~1e-7–1e-6 (float32 rounding through the double
// backward pass); the float64 reference is good to ~1e-7. 1e-5 leaves a ≥10× margin, while a missing
// second-order term changes the product by percents.
const TOLERANCE = 1e-5;

function buildArchitecture(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: X_SHAPE.slice(1),
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        useBias: true,
      }),
      tfl.layers.batchNormalization({ epsilon: BN_EPSILON }),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.averagePooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

/**
 * Seeded weights in `model.getWeights()` order — all trainable weights first (conv kernel and bias, BN
 * gamma and beta, dense kernel and bias), then the BN moving mean and variance.
 */
function seededWeights(): { shapes: number[][]; values: Float32Array[] } {
  const rng = createRng(7);
  const spec: [number[], (r: number) => number][] = [
    [[3, 3, 2, 3], (r) => r / Math.sqrt(18)],
    [[3], (r) => 0.3 * r],
    [[3], (r) => 1 + 0.2 * r],
    [[3], (r) => 0.2 * r],
    [[27, 3], (r) => r / Math.sqrt(27)],
    [[3], (r) => 0.2 * r],
    [[3], (r) => 0.3 * r],
    [[3], (r) => 1 + 0.3 * Math.abs(r)],
  ];
  return {
    shapes: spec.map(([s]) => s),
    values: spec.map(([shape, f]) =>
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => f(rng.normal())),
    ),
  };
}

/** Indices in getWeights() order of the trainable weights (everything but the moving statistics). */
const TRAINABLE = [0, 1, 2, 3, 4, 5];

function loss64(x: Tensor64, weights: Float64Array[], training: boolean, signs?: boolean[]): number {
  const [kernel, bias, gamma, beta, dense, denseBias, movingMean, movingVariance] = weights as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const z = conv2d64(x, { values: kernel, shape: [3, 3, 2, 3] }, 1, 'same', bias);
  const stats = training ? undefined : { mean: movingMean, variance: movingVariance };
  const r = relu64(batchNorm64(z, gamma, beta, BN_EPSILON, stats), signs);
  const pooled = avgPool64(r, 2, 2, 'valid');
  const logits = dense64(
    { values: pooled.values, shape: [X_SHAPE[0], 27] },
    { values: dense, shape: [27, 3] },
    denseBias,
  );
  return softmaxCrossEntropy64(logits, LABELS);
}

/** Hv (and the gradient's norm, to be sure the point is not trivial) of the model's loss, on `backend`. */
async function layersHvp(
  backend: 'cpu' | 'wasm',
  x: Float32Array,
  weights: { shapes: number[][]; values: Float32Array[] },
  training: boolean,
  directions: Float32Array[],
): Promise<Float64Array[]> {
  await initBackend({ backend, quiet: true });
  const model = buildArchitecture();
  const before = tf.memory().numTensors;
  model.setWeights(weights.values.map((v, i) => tf.tensor(v, weights.shapes[i]!)));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  assert.equal(vars.length, TRAINABLE.length);
  const results = directions.map((direction) => {
    const flat = tf.tidy(() => {
      const xt = tf.tensor4d(x, X_SHAPE);
      const labels = tf.cast(tf.oneHot(tf.tensor1d(LABELS, 'int32'), 3), 'float32');
      let offset = 0;
      const v = vars.map((w) => {
        const t = tf.tensor(direction.subarray(offset, offset + w.size), w.shape);
        offset += w.size;
        return t;
      });
      const loss = () =>
        tf.mean(
          tfl.metrics.categoricalCrossentropy(labels, model.apply(xt, { training }) as tf.Tensor),
        ) as tf.Scalar;
      const directional = () => {
        const { grads } = tf.variableGrads(loss, vars);
        return tf.addN(vars.map((w, i) => tf.sum(tf.mul(grads[w.name]!, v[i]!)))) as tf.Scalar;
      };
      const { grads } = tf.variableGrads(directional, vars);
      return tf.concat(vars.map((w) => tf.reshape(grads[w.name]!, [-1])));
    });
    const out = Float64Array.from(flat.dataSync());
    flat.dispose();
    return out;
  });
  model.dispose();
  assert.ok(tf.memory().numTensors <= before, `${backend}: tensors leaked`);
  return results;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const distance = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
};
const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));

for (const training of [true, false]) {
  test(`tfjs-layers conv/BN/ReLU/avgpool/dense model: exact HVP, cpu = wasm = float64 reference, symmetric (training=${training})`, async () => {
    const rng = createRng(11);
    const x = Float32Array.from({ length: X_SHAPE.reduce((a, b) => a * b, 1) }, () => rng.normal());
    const weights = seededWeights();
    const trainableCount = TRAINABLE.reduce((s, i) => s + weights.values[i]!.length, 0);
    const unit = (seed: number) => {
      const r = createRng(seed);
      const raw = Float32Array.from({ length: trainableCount }, () => r.normal());
      const n = norm(raw);
      return raw.map((t) => t / n);
    };
    const u = unit(12);
    const v = unit(13);

    // Float64 reference for Hv by central differences over the trainable weights.
    const x64: Tensor64 = { values: Float64Array.from(x), shape: X_SHAPE };
    const all64 = weights.values.map((w) => Float64Array.from(w));
    const assemble = (flat: Float64Array) => {
      const out = all64.map((w) => Float64Array.from(w));
      let offset = 0;
      for (const i of TRAINABLE) {
        out[i]!.set(flat.subarray(offset, offset + out[i]!.length));
        offset += out[i]!.length;
      }
      return out;
    };
    const w0 = new Float64Array(trainableCount);
    let offset = 0;
    for (const i of TRAINABLE) {
      w0.set(all64[i]!, offset);
      offset += all64[i]!.length;
    }
    const baseSigns: boolean[] = [];
    loss64(x64, assemble(w0), training, baseSigns);
    let kinkCrossed = false;
    const f = (flat: Float64Array) => {
      const signs: boolean[] = [];
      const value = loss64(x64, assemble(flat), training, signs);
      if (signs.some((s, i) => s !== baseSigns[i])) kinkCrossed = true;
      return value;
    };
    const reference = centralDifferenceHvp(f, w0, Float64Array.from(v), 1e-4);
    assert.equal(kinkCrossed, false, 'the finite differences crossed a ReLU kink: the reference is invalid');
    const scale = norm(reference);
    assert.ok(scale > 1e-2, `the reference product is nearly zero (${scale})`);

    const [cpuHv, cpuHu] = await layersHvp('cpu', x, weights, training, [v, u]);
    const [wasmHv, wasmHu] = await layersHvp('wasm', x, weights, training, [v, u]);
    for (const [name, hv] of [
      ['cpu', cpuHv!],
      ['wasm', wasmHv!],
    ] as const) {
      const rel = distance(hv, reference) / scale;
      assert.ok(rel <= TOLERANCE, `${name}: ‖Hv − reference‖/‖reference‖ = ${rel.toExponential(2)}`);
    }
    const across = distance(cpuHv!, wasmHv!) / scale;
    assert.ok(across <= 2 * TOLERANCE, `cpu vs wasm: relative difference ${across.toExponential(2)}`);
    for (const [name, hv, hu] of [
      ['cpu', cpuHv!, cpuHu!],
      ['wasm', wasmHv!, wasmHu!],
    ] as const) {
      // uᵀHv and vᵀHu are the same bilinear form; |uᵀHv| ≤ ‖Hv‖ for unit u, so compare on that scale.
      const asym = Math.abs(dot(u, hv) - dot(v, hu)) / Math.max(norm(hv), norm(hu));
      assert.ok(asym <= TOLERANCE, `${name}: |uᵀHv − vᵀHu| / ‖H·‖ = ${asym.toExponential(2)}`);
    }
  });
}
