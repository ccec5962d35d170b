import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, initBackend } from '../../src/backend/initBackend.js';
import { createRng, type Rng } from '../../src/util/random.js';

/** tfjs's padding argument of a 2-D convolution. */
export type ConvPad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

/** One convolution geometry to test the gradient kernels on. */
export interface ConvCase {
  label: string;
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  pad: ConvPad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function describe(c: Omit<ConvCase, 'label'>): ConvCase {
  const [n, h, w, ci] = c.xShape;
  const [kh, kw, , co] = c.filterShape;
  const pad =
    typeof c.pad === 'string'
      ? c.pad
      : typeof c.pad === 'number'
        ? `pad${c.pad}${c.dimRoundingMode ? `-${c.dimRoundingMode}` : ''}`
        : `explicit${JSON.stringify(c.pad.slice(1, 3))}`;
  return { ...c, label: `n${n} ${h}x${w}x${ci}->${co} k${kh}x${kw} s${c.strides} ${pad}` };
}

/**
 * The ResNet layer kinds (1×1 and 3×3, stride 1 and 2, 'same' and 'valid'; even and odd sizes), a stem
 * with 3 channels, edge geometries (non-square strides and filters, explicit and asymmetric padding,
 * numeric padding with rounding modes, stride larger than the filter, filter larger than the stride),
 * then `random` seeded random ones.
 */
export function convGradientCases(seed: number, random: number): ConvCase[] {
  const cases: ConvCase[] = [];
  for (const [k, s] of [
    [3, 1],
    [3, 2],
    [1, 1],
    [1, 2],
  ] as const) {
    for (const pad of ['same', 'valid'] as const) {
      for (const size of [8, 7]) {
        cases.push(describe({ xShape: [2, size, size, 3], filterShape: [k, k, 3, 4], strides: [s, s], pad }));
      }
    }
  }
  cases.push(describe({ xShape: [2, 9, 9, 3], filterShape: [3, 3, 3, 5], strides: [1, 1], pad: 'same' }));
  cases.push(describe({ xShape: [1, 9, 6, 2], filterShape: [3, 2, 2, 3], strides: [2, 1], pad: 'same' }));
  cases.push(describe({ xShape: [2, 10, 11, 2], filterShape: [5, 5, 2, 3], strides: [2, 2], pad: 'same' }));
  cases.push(describe({ xShape: [2, 11, 10, 2], filterShape: [2, 2, 2, 3], strides: [3, 3], pad: 'valid' }));
  cases.push(describe({ xShape: [1, 9, 9, 2], filterShape: [1, 1, 2, 3], strides: [3, 3], pad: 'same' }));
  cases.push(
    describe({
      xShape: [2, 7, 8, 2],
      filterShape: [3, 3, 2, 3],
      strides: [2, 2],
      pad: [
        [0, 0],
        [2, 0],
        [1, 3],
        [0, 0],
      ],
    }),
  );
  cases.push(
    describe({
      xShape: [1, 6, 6, 2],
      filterShape: [1, 1, 2, 2],
      strides: [1, 1],
      pad: [
        [0, 0],
        [1, 1],
        [0, 2],
        [0, 0],
      ],
    }),
  );
  cases.push(
    describe({
      xShape: [2, 8, 7, 2],
      filterShape: [3, 3, 2, 3],
      strides: [2, 2],
      pad: 1,
      dimRoundingMode: 'ceil',
    }),
  );
  cases.push(
    describe({
      xShape: [1, 9, 9, 2],
      filterShape: [3, 3, 2, 2],
      strides: [2, 2],
      pad: 2,
      dimRoundingMode: 'floor',
    }),
  );
  const rng = createRng(seed);
  for (let i = 0; i < random; i++) cases.push(randomCase(rng));
  return cases;
}

function randomCase(rng: Rng): ConvCase {
  const kh = [1, 2, 3, 5][rng.int(4)]!;
  const kw = kh === 1 ? 1 : 1 + rng.int(kh);
  const inC = 1 + rng.int(5);
  return describe({
    xShape: [1 + rng.int(3), kh + rng.int(8), kw + rng.int(8), inC],
    filterShape: [kh, kw, inC, 1 + rng.int(5)],
    strides: [1 + rng.int(2), 1 + rng.int(2)],
    pad: rng.next() < 0.5 ? 'same' : 'valid',
  });
}

/** Standard normal float32 values of the given shape, from `rng`. */
export function normalArray(rng: Rng, shape: readonly number[]): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return out;
}

/**
 * Runs `kernelName` on `backend` with float32 inputs made from `inputs` (values and shapes) and returns
 * its output; leaves no tensor behind.
 */
export async function runKernelOn(
  backend: BackendName,
  kernelName: string,
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  attrs: Record<string, unknown>,
): Promise<{ values: Float32Array; shape: number[] }> {
  await initBackend({ backend, quiet: true });
  const before = tf.memory().numTensors;
  const dataBefore = tf.backend().numDataIds();
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, { values, shape }] of Object.entries(inputs)) tensors[name] = tf.tensor(values, shape);
  const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: out.dataSync() as Float32Array, shape: out.shape };
  tf.dispose([out, ...Object.values(tensors)]);
  assert.equal(tf.memory().numTensors, before, `${kernelName} on ${backend} leaked tensors`);
  assert.equal(tf.backend().numDataIds(), dataBefore, `${kernelName} on ${backend} leaked backend data`);
  return result;
}

/**
 * Asserts |actual − reference| ≤ 2·γ·absSum elementwise, where absSum is the same computation on the
 * absolute values of the inputs (Σ|terms| of each output's sum) and γ = m·u/(1 − m·u), u = 2⁻²⁴, m = terms
 * + 1: Higham's bound on the float32 rounding error of a dot product of `terms` products in any order
 * (each side is within γ·absSum of the exact value). An indexing mistake is off by O(absSum).
 */
export function assertWithinRoundingBound(
  label: string,
  actual: { values: Float32Array; shape: number[] },
  reference: { values: Float32Array; shape: number[] },
  absSum: Float32Array,
  terms: number,
): void {
  assert.deepEqual(actual.shape, reference.shape, `${label}: shape`);
  const u = 2 ** -24;
  const m = terms + 1;
  const gamma = (m * u) / (1 - m * u);
  for (let i = 0; i < reference.values.length; i++) {
    const err = Math.abs(actual.values[i]! - reference.values[i]!);
    const bound = 2 * gamma * absSum[i]! + 1e-30;
    if (!(err <= bound)) {
      assert.fail(
        `${label}: element ${i} is ${actual.values[i]}, reference ${reference.values[i]} ` +
          `(error ${err.toExponential(2)} > bound ${bound.toExponential(2)})`,
      );
    }
  }
}
