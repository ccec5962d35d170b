import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { createRng } from '../../src/util/random.js';
import {
  add64,
  avgPool64,
  batchNorm64,
  centralDifferenceHvp,
  conv2d64,
  dense64,
  relu64,
  softmaxCrossEntropy64,
  type Tensor64,
} from './float64Reference.js';

// A tiny residual conv net with every kind of layer a ResNet has — conv with bias (tf.fused.conv2d),
// training-mode batch norm (tf.moments + FusedBatchNorm), ReLU, a stride-2 3×3 conv, a stride-2 1×1
// projection, a residual add, average pooling, flatten, dense with bias (tf.fused.matMul), softmax and
// log — whose exact Hessian-vector product by tfjs double backprop (float32) is compared with float64
// central differences of a plain-JS forward pass.

const X_SHAPE = [4, 6, 6, 2] as const;
const LABELS = [0, 1, 2, 1];
const BN_EPSILON = 1e-3;
const PARAM_SHAPES: Record<string, number[]> = {
  w1: [3, 3, 2, 3],
  b1: [3],
  gamma: [3],
  beta: [3],
  w2: [3, 3, 3, 4],
  wp: [1, 1, 3, 4],
  wd: [4, 3],
  bd: [3],
};
const NAMES = Object.keys(PARAM_SHAPES);
const SIZES = NAMES.map((n) => PARAM_SHAPES[n]!.reduce((a, b) => a * b, 1));
const TOTAL = SIZES.reduce((a, b) => a + b, 0);

function split(flat: Float64Array): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  let offset = 0;
  NAMES.forEach((name, i) => {
    out[name] = flat.subarray(offset, offset + SIZES[i]!);
    offset += SIZES[i]!;
  });
  return out;
}

function forward64(x: Tensor64, flat: Float64Array, signs?: boolean[]): number {
  const p = split(flat);
  const t = (name: string) => ({ values: p[name]!, shape: PARAM_SHAPES[name]! });
  const z1 = conv2d64(x, t('w1'), 1, 'same', p['b1']);
  const r1 = relu64(batchNorm64(z1, p['gamma']!, p['beta']!, BN_EPSILON), signs);
  const r2 = relu64(add64(conv2d64(r1, t('w2'), 2, 'same'), conv2d64(r1, t('wp'), 2, 'same')), signs);
  const pooled = avgPool64(r2, 3, 3, 'valid');
  const logits = dense64({ values: pooled.values, shape: [X_SHAPE[0], 4] }, t('wd'), p['bd']!);
  return softmaxCrossEntropy64(logits, LABELS);
}

function forwardTf(x: tf.Tensor4D, labels: tf.Tensor2D, ps: tf.Tensor[]): tf.Scalar {
  const [w1, b1, gamma, beta, w2, wp, wd, bd] = ps as [
    tf.Tensor4D,
    tf.Tensor1D,
    tf.Tensor1D,
    tf.Tensor1D,
    tf.Tensor4D,
    tf.Tensor4D,
    tf.Tensor2D,
    tf.Tensor1D,
  ];
  const z1 = tf.fused.conv2d({ x, filter: w1, strides: 1, pad: 'same', bias: b1 });
  const { mean, variance } = tf.moments(z1, [0, 1, 2]);
  const r1 = tf.relu(tf.batchNorm(z1, mean, variance, beta, gamma, BN_EPSILON)) as tf.Tensor4D;
  const r2 = tf.relu(tf.add(tf.conv2d(r1, w2, 2, 'same'), tf.conv2d(r1, wp, 2, 'same'))) as tf.Tensor4D;
  const pooled = tf.reshape(tf.avgPool(r2, 3, 3, 'valid'), [X_SHAPE[0], 4]);
  const logits = tf.fused.matMul({ a: pooled, b: wd, bias: bd });
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(tf.softmax(logits))), -1))) as tf.Scalar;
}

function hvpTf(x: Float32Array, w: Float32Array, v: Float32Array): Float64Array {
  const flat = tf.tidy(() => {
    const xt = tf.tensor4d(x, [...X_SHAPE]);
    const labels = tf.cast(tf.oneHot(tf.tensor1d(LABELS, 'int32'), 3), 'float32') as tf.Tensor2D;
    const toTensors = (flat: Float32Array) => {
      let offset = 0;
      return NAMES.map((name, i) => {
        const t = tf.tensor(flat.subarray(offset, offset + SIZES[i]!), PARAM_SHAPES[name]!);
        offset += SIZES[i]!;
        return t;
      });
    };
    const params = toTensors(w);
    const dirs = toTensors(v);
    const loss = (...ps: tf.Tensor[]) => forwardTf(xt, labels, ps);
    const directional = (...ps: tf.Tensor[]) => {
      const g = tf.grads(loss)(ps);
      return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, dirs[i]!))));
    };
    const hv = tf.grads(directional)(params);
    return tf.concat(hv.map((t) => tf.reshape(t, [-1])));
  });
  const out = Float64Array.from(flat.dataSync());
  flat.dispose();
  return out;
}

function seededFloat32(seed: number, n: number, scale: (i: number) => number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, (_, i) => scale(i) * rng.normal());
}

test('HVP of a tiny residual conv net by double backprop matches float64 central differences (cpu, wasm)', async () => {
  const x = seededFloat32(
    1,
    X_SHAPE.reduce((a, b) => a * b, 1),
    () => 1,
  );
  const fanIn = (i: number) => {
    let offset = 0;
    for (const [k, name] of NAMES.entries()) {
      if (i < offset + SIZES[k]!) {
        if (name === 'gamma') return 0.3; // around 1 after the shift below
        const shape = PARAM_SHAPES[name]!;
        return shape.length > 1 ? 1 / Math.sqrt(shape.slice(0, -1).reduce((a, b) => a * b, 1)) : 0.3;
      }
      offset += SIZES[k]!;
    }
    throw new RangeError(`parameter index ${i} out of range`);
  };
  const w = seededFloat32(2, TOTAL, fanIn);
  const gammaOffset = SIZES[0]! + SIZES[1]!;
  for (let i = 0; i < 3; i++) w[gammaOffset + i]! += 1;
  const x64: Tensor64 = { values: Float64Array.from(x), shape: [...X_SHAPE] };
  const w64 = Float64Array.from(w);
  const baseSigns: boolean[] = [];
  forward64(x64, w64, baseSigns);
  let kinkCrossed = false;
  const f = (flat: Float64Array) => {
    const signs: boolean[] = [];
    const value = forward64(x64, flat, signs);
    if (signs.some((s, i) => s !== baseSigns[i])) kinkCrossed = true;
    return value;
  };
  for (const seed of [3, 4]) {
    const raw = seededFloat32(seed, TOTAL, () => 1);
    const norm = Math.hypot(...raw);
    const v = raw.map((t) => t / norm);
    const reference = centralDifferenceHvp(f, w64, Float64Array.from(v), 1e-4);
    assert.equal(kinkCrossed, false, 'the finite differences crossed a ReLU kink: the reference is invalid');
    const refNorm = Math.hypot(...reference);
    assert.ok(refNorm > 1e-2, `the reference product is nearly zero (${refNorm}); the test would be weak`);
    for (const backend of ['cpu', 'wasm'] as const) {
      await initBackend({ backend, quiet: true });
      const before = tf.memory().numTensors;
      const hv = hvpTf(x, w, v);
      assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
      const err = Math.hypot(...hv.map((t, i) => t - reference[i]!));
      // float32 double backprop through ~20 ops on O(1) values: measured relative error 3e-7 (float32
      // rounding, 2⁻²⁴ ≈ 6e-8, grown through the net); the central differences are good to ~1e-7.
      // 1e-5 leaves a 30× margin; tfjs's own softmax gradient (a dropped second-order term) gives 0.15.
      assert.ok(
        err <= 1e-5 * refNorm,
        `${backend} direction ${seed}: ‖Hv − ref‖/‖ref‖ = ${(err / refNorm).toExponential(2)}`,
      );
    }
  }
});
