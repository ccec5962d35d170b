import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { setOnednnKernelsEnabled } from '../../src/backend/kernels/onednn/onednnKernels.js';
import { setSimdKernelsEnabled, simdKernelsFor } from '../../src/backend/kernels/simd/simdKernels.js';
import { createRng } from '../../src/util/random.js';
import {
  assertWithinRoundingBound,
  type ConvCase,
  convGradientCases,
  normalArray,
  runKernelOn,
} from './convGradientCases.js';

// These test this library's wasm kernels, which the optional oneDNN kernels (tested in
// onednnKernels.test.ts) replace when the addon is built: keep them out of the way here.
setOnednnKernelsEnabled(false);

function attrsOf(c: ConvCase) {
  return {
    strides: c.strides,
    pad: c.pad,
    dataFormat: 'NHWC',
    dimRoundingMode: c.dimRoundingMode,
    filterShape: c.filterShape,
  };
}

for (const simd of [true, false]) {
  const path = simd ? 'SIMD kernel' : 'XNNPACK composition';
  test(`wasm Conv2DBackpropFilter (${path}) agrees with the cpu kernel within the float32 rounding bound`, async () => {
    const previous = setSimdKernelsEnabled(simd);
    try {
      const rng = createRng(20260101);
      const cases = convGradientCases(11, 24);
      for (const c of cases) {
        const info = tf.backend_util.computeConv2DInfo(
          c.xShape,
          c.filterShape,
          c.strides,
          1,
          c.pad,
          c.dimRoundingMode,
        );
        const x = { values: normalArray(rng, c.xShape), shape: c.xShape };
        const dy = { values: normalArray(rng, info.outShape), shape: info.outShape };
        const abs = (a: { values: Float32Array; shape: number[] }) => ({
          values: a.values.map(Math.abs),
          shape: a.shape,
        });
        const reference = await runKernelOn('cpu', 'Conv2DBackpropFilter', { x, dy }, attrsOf(c));
        const absSum = await runKernelOn(
          'cpu',
          'Conv2DBackpropFilter',
          { x: abs(x), dy: abs(dy) },
          attrsOf(c),
        );
        const actual = await runKernelOn('wasm', 'Conv2DBackpropFilter', { x, dy }, attrsOf(c));
        const terms = info.batchSize * info.outHeight * info.outWidth;
        assertWithinRoundingBound(c.label, actual, reference, absSum.values, terms);
      }
    } finally {
      setSimdKernelsEnabled(previous);
    }
  });
}

test('the SIMD kernel is available on the wasm backend under Node and writes only its output', async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  assert.ok(
    simdKernelsFor(tf.backend() as never) !== undefined,
    'WebAssembly SIMD kernels did not load (Node 20 supports wasm SIMD)',
  );
  const rng = createRng(9);
  // Tensors allocated around the kernel's inputs and scratch buffers must come through untouched.
  const before = tf.tensor(normalArray(rng, [4096]), [4096]);
  const x = tf.tensor(normalArray(rng, [3, 7, 9, 3]), [3, 7, 9, 3]);
  const between = tf.tensor(normalArray(rng, [4096]), [4096]);
  const dy = tf.tensor(normalArray(rng, [3, 4, 5, 5]), [3, 4, 5, 5]);
  const after = tf.tensor(normalArray(rng, [4096]), [4096]);
  const snapshot = [before, between, after].map((t) => t.dataSync().slice());
  const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 5] };
  for (let i = 0; i < 3; i++) {
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor;
    assert.deepEqual(dw.shape, [3, 3, 3, 5]);
    dw.dispose();
  }
  for (const [i, t] of [before, between, after].entries()) {
    assert.deepEqual(t.dataSync(), snapshot[i], `a neighbouring tensor (${i}) was overwritten`);
  }
  tf.dispose([before, x, between, dy, after]);
});

test('the gradient of conv2d reaches the wasm Conv2DBackpropFilter kernel through tf.grads', async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  const rng = createRng(5);
  const x = tf.tensor(normalArray(rng, [2, 6, 6, 2]), [2, 6, 6, 2]) as tf.Tensor4D;
  const w = tf.tensor(normalArray(rng, [3, 3, 2, 3]), [3, 3, 2, 3]) as tf.Tensor4D;
  const gradOn = async (backend: 'cpu' | 'wasm') => {
    await initBackend({ backend, quiet: true });
    const g = tf.grad((ww) => tf.sum(tf.square(tf.conv2d(x, ww as tf.Tensor4D, 2, 'same'))))(w);
    const values = (await g.array()) as number[][][][];
    g.dispose();
    return values;
  };
  const cpu = await gradOn('cpu');
  const wasm = await gradOn('wasm');
  const flat = (a: number[][][][]) => a.flat(3);
  const scale = Math.max(...flat(cpu).map(Math.abs));
  for (const [i, v] of flat(wasm).entries())
    assert.ok(Math.abs(v - flat(cpu)[i]!) <= 1e-5 * scale, `element ${i}`);
  tf.dispose([x, w]);
});

test('wasm Conv2DBackpropFilter rejects NCHW with a message naming the attribute', async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  const x = tf.zeros([1, 2, 4, 4]);
  const dy = tf.zeros([1, 3, 4, 4]);
  assert.throws(
    () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: 1,
        pad: 'same',
        dataFormat: 'NCHW',
        filterShape: [3, 3, 2, 3],
      } as unknown as tf.NamedAttrMap),
    /Conv2DBackpropFilter \(wasm\): dataFormat 'NCHW' is not supported/,
  );
  tf.dispose([x, dy]);
});
