import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { createRng } from '../../src/util/random.js';
import { avgPoolGradAdjoint64, conv2d64 } from './float64Reference.js';

// Exact Hessian-vector products by double backprop, Hv = ∇(∇f·v), against closed forms computed in
// float64 JS, on the cpu and the wasm backend. Inputs are O(1) and each value is a short sum (≤ ~100
// terms), so float32 results are within ~1e-6 relative of the truth; 1e-4 of the largest |entry| leaves
// a wide margin while any missing or wrong second-order term (an O(1) relative change) fails.

const BACKENDS = ['cpu', 'wasm'] as const;
const TOLERANCE = 1e-4;

function hvp(f: (w: tf.Tensor) => tf.Tensor, w: tf.Tensor, v: tf.Tensor): Float32Array {
  return tf.tidy(() => {
    const hv = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(x), v)))(w);
    return hv.dataSync() as Float32Array;
  });
}

function assertClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  assert.ok(scale > 0, `${label}: the expected product is identically zero, the test would be vacuous`);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    assert.ok(
      err <= TOLERANCE * scale,
      `${label}: entry ${i} is ${actual[i]}, expected ${expected[i]} (error ${err.toExponential(2)})`,
    );
  }
}

/** Seeded normal values, rounded to float32 so that tfjs and the float64 closed forms see the same inputs. */
function normals(seed: number, n: number, scale = 1): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => Math.fround(scale * rng.normal()));
}

const f32 = (values: ArrayLike<number>) => Float32Array.from(values);

async function onEachBackend(body: (backend: string) => void): Promise<void> {
  for (const backend of BACKENDS) {
    await initBackend({ backend, quiet: true });
    const before = tf.memory().numTensors;
    body(backend);
    assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  }
}

test('f(x) = Σx³ has Hv = 6·x∘v', async () => {
  const x = normals(1, 7);
  const v = normals(2, 7);
  await onEachBackend((backend) => {
    const got = tf.tidy(() => hvp((w) => tf.sum(tf.pow(w, 3)), tf.tensor1d(f32(x)), tf.tensor1d(f32(v))));
    assertClose(
      backend,
      got,
      x.map((xi, i) => 6 * xi * v[i]!),
    );
  });
});

test('a quadratic form xᵀAx has Hv = (A + Aᵀ)v for a non-symmetric A', async () => {
  const n = 5;
  const a = normals(3, n * n);
  const x = normals(4, n);
  const v = normals(5, n);
  const expected = Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += (a[i * n + j]! + a[j * n + i]!) * v[j]!;
    return s;
  });
  await onEachBackend((backend) => {
    const got = tf.tidy(() => {
      const am = tf.tensor2d(f32(a), [n, n]);
      return hvp(
        (w) => tf.sum(tf.mul(tf.reshape(w, [n, 1]), tf.matMul(am, tf.reshape(w, [n, 1])))),
        tf.tensor1d(f32(x)),
        tf.tensor1d(f32(v)),
      );
    });
    assertClose(backend, got, expected);
  });
});

test('elementwise exp, sigmoid and tanh have their exact second derivatives (not tfjs saved-output grads)', async () => {
  const x = normals(6, 6);
  const c = normals(7, 6);
  const v = normals(8, 6);
  const sig = (t: number) => 1 / (1 + Math.exp(-t));
  const cases: [string, (w: tf.Tensor, ct: tf.Tensor) => tf.Tensor, (t: number) => number][] = [
    ['exp', (w, ct) => tf.sum(tf.mul(ct, tf.exp(w))), (t) => Math.exp(t)],
    [
      'sigmoid',
      (w, ct) => tf.sum(tf.mul(ct, tf.sigmoid(w))),
      (t) => sig(t) * (1 - sig(t)) * (1 - 2 * sig(t)),
    ],
    ['tanh', (w, ct) => tf.sum(tf.mul(ct, tf.tanh(w))), (t) => -2 * Math.tanh(t) * (1 - Math.tanh(t) ** 2)],
  ];
  await onEachBackend((backend) => {
    for (const [name, f, second] of cases) {
      const got = tf.tidy(() => {
        const ct = tf.tensor1d(f32(c));
        return hvp((w) => f(w, ct), tf.tensor1d(f32(x)), tf.tensor1d(f32(v)));
      });
      assertClose(
        `${backend} ${name}`,
        got,
        x.map((t, i) => c[i]! * second(t) * v[i]!),
      );
    }
  });
});

test('Σ c·softmax(z) and logSumExp(z) have their closed-form Hessians', async () => {
  const k = 5;
  const z = normals(9, k);
  const c = normals(10, k);
  const v = normals(11, k);
  const max = Math.max(...z);
  const e = z.map((t) => Math.exp(t - max));
  const total = e.reduce((a, b) => a + b, 0);
  const p = e.map((t) => t / total);
  const cBar = p.reduce((s, pi, i) => s + pi * c[i]!, 0);
  const g = p.map((pi, i) => pi * (c[i]! - cBar));
  // ∂²/∂z_j∂z_k Σ c_i p_i = δ_jk g_j − p_j g_k − g_j p_k, with g = p∘(c − c̄).
  const softmaxHv = Float64Array.from({ length: k }, (_, j) => {
    let s = g[j]! * v[j]!;
    for (let m = 0; m < k; m++) s -= (p[j]! * g[m]! + g[j]! * p[m]!) * v[m]!;
    return s;
  });
  // Hessian of logSumExp: diag(p) − ppᵀ.
  const pv = p.reduce((s, pi, i) => s + pi * v[i]!, 0);
  const lseHv = p.map((pi, j) => pi * v[j]! - pi * pv);
  await onEachBackend((backend) => {
    const got = tf.tidy(() => {
      const ct = tf.tensor1d(f32(c));
      return hvp((w) => tf.sum(tf.mul(ct, tf.softmax(w))), tf.tensor1d(f32(z)), tf.tensor1d(f32(v)));
    });
    assertClose(`${backend} softmax`, got, softmaxHv);
    const lse = tf.tidy(() => hvp((w) => tf.logSumExp(w), tf.tensor1d(f32(z)), tf.tensor1d(f32(v))));
    assertClose(`${backend} logSumExp`, lse, lseHv);
  });
});

test('log of a clipped value differentiates twice through the clip mask (Keras-style losses)', async () => {
  const x = Float64Array.from([0.3, 0.05, 0.9, 2.5, -1, 0.6], Math.fround);
  const c = normals(12, 6);
  const v = normals(13, 6);
  // Inside [0.1, 1]: d²/dx² c·log x = −c/x²; clipped entries are constant.
  const expected = x.map((t, i) => (t >= 0.1 && t <= 1 ? (-c[i]! / (t * t)) * v[i]! : 0));
  await onEachBackend((backend) => {
    const got = tf.tidy(() => {
      const ct = tf.tensor1d(f32(c));
      return hvp(
        (w) => tf.sum(tf.mul(ct, tf.log(tf.clipByValue(w, 0.1, 1)))),
        tf.tensor1d(f32(x)),
        tf.tensor1d(f32(v)),
      );
    });
    assertClose(backend, got, expected);
  });
});

test('conv2d: H_W·v of ½‖conv(x, W)‖² is the filter gradient of conv(x, V), for stride 1 and 2', async () => {
  // The Hessian of ½‖conv(x, W)‖² in W is the Gram operator V ↦ ∂/∂W ⟨conv(x, W), conv(x, V)⟩, computed in
  // float64 here by the adjoint of the reference convolution: (H V)[i,j,c,o] = Σ x[n, s·h+i−p, …, c]·(x∗V)[n,h,w,o].
  for (const [stride, pad] of [
    [1, 'same'],
    [2, 'same'],
    [2, 'valid'],
  ] as const) {
    const xShape = [2, 5, 5, 2];
    const wShape = [3, 3, 2, 3];
    const x = { values: normals(20 + stride, 100), shape: xShape };
    const v = { values: normals(22 + stride, 54), shape: wShape };
    const y = conv2d64(x, v, stride, pad);
    // Gradient in W of ⟨conv(x, W), y⟩ by linearity: entry e of W gets ⟨conv(x, E_e), y⟩.
    const expected = new Float64Array(54);
    for (let e = 0; e < 54; e++) {
      const unit = { values: new Float64Array(54), shape: wShape };
      unit.values[e] = 1;
      const ye = conv2d64(x, unit, stride, pad);
      expected[e] = ye.values.reduce((s, t, i) => s + t * y.values[i]!, 0);
    }
    const w0 = normals(30, 54);
    await onEachBackend((backend) => {
      const got = tf.tidy(() => {
        const xt = tf.tensor4d(f32(x.values), xShape as [number, number, number, number]);
        return hvp(
          (w) => tf.mul(0.5, tf.sum(tf.square(tf.conv2d(xt, w as tf.Tensor4D, stride, pad)))),
          tf.tensor4d(f32(w0), wShape as [number, number, number, number]),
          tf.tensor4d(f32(v.values), wShape as [number, number, number, number]),
        );
      });
      assertClose(`${backend} stride ${stride} ${pad}`, got, expected);
    });
  }
});

test('the gradient of Conv2DBackpropFilter in x is conv2DBackpropInput (a mixed second derivative)', async () => {
  // f(x) = ⟨∂_W ⟨conv(x, W), dy⟩, U⟩ = ⟨conv(x, U), dy⟩ is linear in x: its gradient's entry e is
  // ⟨conv(E_e, U), dy⟩, computed with the float64 reference convolution.
  const xShape = [1, 5, 4, 2];
  const uShape = [3, 3, 2, 2];
  const u = { values: normals(40, 36), shape: uShape };
  const dyShape = [1, 3, 2, 2];
  const dy = normals(41, 12);
  const expected = new Float64Array(40);
  for (let e = 0; e < 40; e++) {
    const unit = { values: new Float64Array(40), shape: xShape };
    unit.values[e] = 1;
    expected[e] = conv2d64(unit, u, 2, 'same').values.reduce((s, t, i) => s + t * dy[i]!, 0);
  }
  const x0 = normals(42, 40);
  await onEachBackend((backend) => {
    const got = tf.tidy(() => {
      const ut = tf.tensor4d(f32(u.values), uShape as [number, number, number, number]);
      const dyt = tf.tensor4d(f32(dy), dyShape as [number, number, number, number]);
      const f = (x: tf.Tensor) => {
        const filterGrad = tf.grad((w: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), dyt)),
        )(tf.zeros(uShape));
        return tf.sum(tf.mul(filterGrad, ut));
      };
      return tf
        .grad(f)(tf.tensor4d(f32(x0), xShape as [number, number, number, number]))
        .dataSync() as Float32Array;
    });
    assertClose(backend, got, expected);
  });
});

test('the gradient of AvgPoolGrad in dy is the adjoint pooling, also with "same" padding', async () => {
  for (const pad of ['valid', 'same'] as const) {
    const xShape: [number, number, number, number] = [2, 5, 5, 2];
    const u = { values: normals(50, 100), shape: xShape };
    const expected = avgPoolGradAdjoint64(u, 3, 2, pad);
    const outShape = expected.shape as [number, number, number, number];
    const dy0 = normals(51, expected.values.length);
    await onEachBackend((backend) => {
      const got = tf.tidy(() => {
        const x = tf.tensor4d(f32(normals(52, 100)), xShape);
        const ut = tf.tensor4d(f32(u.values), xShape);
        // ⟨AvgPoolGrad(dy), U⟩ with AvgPoolGrad reached as the input gradient of avgPool.
        const f = (dy: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(xx as tf.Tensor4D, 3, 2, pad), dy)))(x),
              ut,
            ),
          );
        return tf
          .grad(f)(tf.tensor4d(f32(dy0), outShape))
          .dataSync() as Float32Array;
      });
      assertClose(`${backend} ${pad}`, got, expected.values);
    });
  }
});
