import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { setSimdKernelsEnabled } from '../../src/backend/kernels/simd/simdKernels.js';
import { createRng } from '../../src/util/random.js';

/** Exact (float64) sums of the float32 values over `axes`, and the sums of their absolute values. */
function referenceSum(values: Float32Array, shape: number[], axes: number[]) {
  const rank = shape.length;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const keptAxes = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const keptShape = keptAxes.map((i) => shape[i]!);
  const size = keptShape.reduce((a, b) => a * b, 1);
  const sums = new Float64Array(size);
  const absSums = new Float64Array(size);
  for (let flat = 0; flat < values.length; flat++) {
    let out = 0;
    for (const i of keptAxes) out = out * shape[i]! + (Math.floor(flat / strides[i]!) % shape[i]!);
    sums[out]! += values[flat]!;
    absSums[out]! += Math.abs(values[flat]!);
  }
  return { sums, absSums, keptShape, rank };
}

const cases: { shape: number[]; axis: number | number[] }[] = [
  { shape: [128, 8, 8, 16], axis: [0, 1, 2] }, // a bias gradient
  { shape: [7, 5, 3, 6], axis: [0, 1, 2] }, // channels not a multiple of 4
  { shape: [4, 300, 2], axis: 1 }, // a middle block with an outer dimension, more rows than one block
  { shape: [3, 4, 5, 6], axis: [1, 2] },
  { shape: [3, 4, 5, 6], axis: [-3, -2] },
  { shape: [6, 5], axis: 0 },
  { shape: [6, 5], axis: 1 }, // innermost: tfjs's kernel
  { shape: [3, 4, 5], axis: [0, 2] }, // not contiguous: tfjs's kernel
  { shape: [3, 4, 5], axis: [0, 1, 2] }, // everything: tfjs's kernel
];

for (const simd of [true, false]) {
  test(`wasm Sum (${simd ? 'SIMD kernel' : 'tfjs kernel'}) is within the float32 rounding bound of the exact sum`, async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    const previous = setSimdKernelsEnabled(simd);
    try {
      const rng = createRng(77);
      for (const { shape, axis } of cases) {
        const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
        for (let i = 0; i < values.length; i++) values[i] = rng.normal() + 0.5;
        const axes = [axis]
          .flat()
          .map((a) => (a < 0 ? a + shape.length : a))
          .sort((a, b) => a - b);
        const { sums, absSums, keptShape } = referenceSum(values, shape, axes);
        const terms = axes.reduce((a, i) => a * shape[i]!, 1);
        const u = 2 ** -24;
        const gamma = (terms * u) / (1 - terms * u);
        for (const keepDims of [false, true]) {
          const before = tf.memory().numTensors;
          const x = tf.tensor(values, shape);
          const out = tf.sum(x, axis, keepDims);
          const expectedShape = keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : keptShape;
          assert.deepEqual(
            out.shape,
            expectedShape,
            `shape for ${JSON.stringify({ shape, axis, keepDims })}`,
          );
          const got = out.dataSync();
          for (let i = 0; i < sums.length; i++) {
            const bound = 2 * gamma * absSums[i]! + 1e-6;
            assert.ok(
              Math.abs(got[i]! - sums[i]!) <= bound,
              `${JSON.stringify({ shape, axis })} element ${i}: ${got[i]} vs ${sums[i]} (bound ${bound})`,
            );
          }
          tf.dispose([x, out]);
          assert.equal(tf.memory().numTensors, before);
        }
      }
    } finally {
      setSimdKernelsEnabled(previous);
    }
  });
}

test('wasm Sum keeps int32 sums exact (tfjs kernel)', async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2], 'int32');
  const s = tf.sum(x, [0, 1]);
  assert.equal(s.dtype, 'int32');
  assert.deepEqual(Array.from(s.dataSync()), [16, 20]);
  tf.dispose([x, s]);
});
