import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { setOnednnKernelsEnabled } from '../../src/backend/kernels/onednn/onednnKernels.js';
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
    inputShape: c.xShape,
  };
}

test('wasm Conv2DBackpropInput agrees with the cpu kernel within the float32 rounding bound', async () => {
  const rng = createRng(20260102);
  for (const c of convGradientCases(12, 24)) {
    const info = tf.backend_util.computeConv2DInfo(
      c.xShape,
      c.filterShape,
      c.strides,
      1,
      c.pad,
      c.dimRoundingMode,
    );
    const dy = { values: normalArray(rng, info.outShape), shape: info.outShape };
    const filter = { values: normalArray(rng, c.filterShape), shape: c.filterShape };
    const abs = (a: { values: Float32Array; shape: number[] }) => ({
      values: a.values.map(Math.abs),
      shape: a.shape,
    });
    const reference = await runKernelOn('cpu', 'Conv2DBackpropInput', { dy, filter }, attrsOf(c));
    const absSum = await runKernelOn(
      'cpu',
      'Conv2DBackpropInput',
      { dy: abs(dy), filter: abs(filter) },
      attrsOf(c),
    );
    const actual = await runKernelOn('wasm', 'Conv2DBackpropInput', { dy, filter }, attrsOf(c));
    const [kh, kw, , outC] = c.filterShape;
    assertWithinRoundingBound(c.label, actual, reference, absSum.values, kh * kw * outC);
  }
});

test('conv2dTranspose on wasm agrees with cpu (the public op that runs Conv2DBackpropInput)', async () => {
  const rng = createRng(8);
  const xValues = normalArray(rng, [2, 5, 5, 4]);
  const fValues = normalArray(rng, [3, 3, 3, 4]);
  const run = async (backend: 'cpu' | 'wasm') => {
    await initBackend({ backend, quiet: true });
    return tf.tidy(() =>
      tf
        .conv2dTranspose(
          tf.tensor4d(xValues, [2, 5, 5, 4]),
          tf.tensor4d(fValues, [3, 3, 3, 4]),
          [2, 10, 10, 3],
          2,
          'same',
        )
        .dataSync(),
    );
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  const scale = Math.max(...Array.from(cpu, Math.abs));
  for (let i = 0; i < cpu.length; i++)
    assert.ok(Math.abs(wasm[i]! - cpu[i]!) <= 1e-5 * scale, `element ${i}`);
});

test('NCHW Conv2DBackpropInput on wasm still works (handed to the tfjs kernel)', async () => {
  const rng = createRng(9);
  const dy = { values: normalArray(rng, [1, 3, 4, 4]), shape: [1, 3, 4, 4] };
  const filter = { values: normalArray(rng, [3, 3, 2, 3]), shape: [3, 3, 2, 3] };
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', inputShape: [1, 2, 4, 4] };
  const reference = await runKernelOn('cpu', 'Conv2DBackpropInput', { dy, filter }, attrs);
  const actual = await runKernelOn('wasm', 'Conv2DBackpropInput', { dy, filter }, attrs);
  for (let i = 0; i < reference.values.length; i++) {
    assert.ok(Math.abs(actual.values[i]! - reference.values[i]!) < 1e-4, `element ${i}`);
  }
});
