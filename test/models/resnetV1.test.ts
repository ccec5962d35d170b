import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import { modelOutputKind } from '../../src/models/outputKind.js';
import { parameterCounts } from '../../src/models/parameterCounts.js';
import { regularizationPenalty } from '../../src/models/regularizationPenalty.js';
import { resnetV1, resnetV1Size } from '../../src/models/resnetV1.js';
import { createRng } from '../../src/util/random.js';

before(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

function weightsByName(model: LayersModel): Map<string, { shape: number[]; values: Float64Array }> {
  return new Map(
    model.weights.map((w) => [
      w.originalName,
      { shape: w.shape as number[], values: Float64Array.from(w.read().dataSync()) },
    ]),
  );
}

test('parameter counts match Keras exactly', () => {
  const expected: [number, number, number, number][] = [
    [20, 274_442, 273_066, 1_376],
    [32, 470_218, 467_946, 2_272],
    [56, 861_770, 857_706, 4_064],
  ];
  for (const [depth, total, trainable, nonTrainable] of expected) {
    const model = resnetV1({ depth, seed: 0 });
    assert.deepEqual(parameterCounts(model), { total, trainable, nonTrainable }, `ResNet-${depth}`);
    assert.equal(model.countParams(), total);
    model.dispose();
  }
});

test('a depth that is not 6n+2 is refused, naming the value', () => {
  for (const depth of [21, 2, 0, 19.5, -4]) {
    assert.throws(
      () => resnetV1({ depth }),
      (e: unknown) =>
        e instanceof RangeError &&
        /depth should be 6n\+2/.test(e.message) &&
        e.message.includes(`got ${depth}`),
    );
  }
  assert.throws(() => resnetV1({ depth: 8, numClasses: 0 }), /numClasses must be a positive integer, got 0/);
  assert.throws(() => resnetV1({ depth: 8, weightDecay: -1 }), /weightDecay must be a finite number ≥ 0/);
  // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
  assert.throws(() => resnetV1({ depth: 8, outputActivation: 'relu' as any }), /outputActivation must be/);
});

test('the same seed gives identical weights, another seed different ones', () => {
  const options = { depth: 8, inputShape: [8, 8, 3], numFilters: 4 } as const;
  const a = resnetV1({ ...options, seed: 7 });
  const b = resnetV1({ ...options, seed: 7 });
  const c = resnetV1({ ...options, seed: 8 });
  assert.deepEqual(weightsByName(a), weightsByName(b));
  assert.notDeepEqual(weightsByName(a).get('stem_conv/kernel'), weightsByName(c).get('stem_conv/kernel'));
  for (const m of [a, b, c]) m.dispose();
});

test('layer names and the shapes of every weight are those of Keras resnet_v1 (depth 8)', () => {
  const model = resnetV1({ depth: 8, seed: 0 });
  assert.equal(model.name, 'resnet8_v1');
  const conv = (name: string, shape: number[]) => [
    [`${name}/kernel`, shape],
    [`${name}/bias`, [shape[3]]],
  ];
  const bn = (name: string, c: number) =>
    ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w) => [`${name}/${w}`, [c]]);
  const expected = new Map(
    [
      ...conv('stem_conv', [3, 3, 3, 16]),
      ...bn('stem_bn', 16),
      ...conv('stack1_block1_conv1', [3, 3, 16, 16]),
      ...bn('stack1_block1_bn1', 16),
      ...conv('stack1_block1_conv2', [3, 3, 16, 16]),
      ...bn('stack1_block1_bn2', 16),
      ...conv('stack2_block1_conv1', [3, 3, 16, 32]),
      ...bn('stack2_block1_bn1', 32),
      ...conv('stack2_block1_conv2', [3, 3, 32, 32]),
      ...bn('stack2_block1_bn2', 32),
      ...conv('stack2_block1_shortcut', [1, 1, 16, 32]),
      ...conv('stack3_block1_conv1', [3, 3, 32, 64]),
      ...bn('stack3_block1_bn1', 64),
      ...conv('stack3_block1_conv2', [3, 3, 64, 64]),
      ...bn('stack3_block1_bn2', 64),
      ...conv('stack3_block1_shortcut', [1, 1, 32, 64]),
      ['dense/kernel', [64, 10]],
      ['dense/bias', [10]],
    ].map(([n, s]) => [n as string, s as number[]]),
  );
  const actual = new Map(model.weights.map((w) => [w.originalName, w.shape as number[]]));
  assert.deepEqual(actual, expected);
  const config = (name: string) => model.getLayer(name).getConfig() as Record<string, unknown>;
  assert.deepEqual(config('stack2_block1_conv1').strides, [2, 2]);
  assert.deepEqual(config('stack2_block1_shortcut').strides, [2, 2]);
  assert.deepEqual(config('stack1_block1_conv1').strides, [1, 1]);
  assert.equal(config('stem_conv').padding, 'same');
  assert.deepEqual(config('avg_pool').poolSize, [8, 8]);
  assert.equal(config('dense').activation, 'softmax');
  assert.equal(config('stem_bn').momentum, 0.99);
  assert.equal(config('stem_bn').epsilon, 1e-3);
  assert.equal(modelOutputKind(model), 'probabilities');
  const logits = resnetV1({ depth: 8, seed: 0, outputActivation: 'linear' });
  assert.equal(modelOutputKind(logits), 'logits');
  model.dispose();
  logits.dispose();
});

test('kernels follow Keras he_normal: truncated at 2σ, variance 2/fan_in', () => {
  const model = resnetV1({ depth: 20, seed: 11 });
  for (const [name, fanIn] of [
    ['stack3_block2_conv1/kernel', 9 * 64],
    ['stack1_block1_conv2/kernel', 9 * 16],
    ['dense/kernel', 64],
  ] as const) {
    const w = Float64Array.from(
      model
        .getWeights()
        .find((_, i) => model.weights[i]!.originalName === name)!
        .dataSync(),
    );
    const target = 2 / fanIn;
    const mean = w.reduce((s, x) => s + x, 0) / w.length;
    const variance = w.reduce((s, x) => s + (x - mean) ** 2, 0) / w.length;
    // The standard error of a sample variance is at most σ²·√(2/N) for kurtosis ≤ 3 (a truncated normal is
    // lighter-tailed than a normal); 5 standard errors.
    assert.ok(
      Math.abs(variance - target) < 5 * target * Math.sqrt(2 / w.length),
      `${name}: ${variance} vs ${target}`,
    );
    assert.ok(Math.abs(mean) < 5 * Math.sqrt(target / w.length), `${name}: mean ${mean}`);
    const bound = (2 * Math.sqrt(target)) / 0.8796256610342398;
    assert.ok(
      w.every((x) => Math.abs(x) <= bound * (1 + 1e-6)),
      `${name}: values within the truncation bound`,
    );
  }
  model.dispose();
});

test('regularizationPenalty is weightDecay · Σ‖kernel‖² over the convolutions, not the dense head', () => {
  const model = resnetV1({ depth: 8, seed: 3, weightDecay: 5e-4 });
  let sum = 0;
  for (const [name, w] of weightsByName(model))
    if (name.endsWith('/kernel') && !name.startsWith('dense')) for (const x of w.values) sum += x * x;
  const penalty = regularizationPenalty(model);
  assert.ok(Math.abs(penalty.dataSync()[0]! - 5e-4 * sum) < 1e-6 * 5e-4 * sum);
  penalty.dispose();
  const none = resnetV1({ depth: 8, seed: 3, weightDecay: 0 });
  const zero = regularizationPenalty(none);
  assert.equal(zero.dataSync()[0], 0);
  zero.dispose();
  model.dispose();
  none.dispose();
});

// ---- An independent float64 forward pass of the architecture as the issue describes it. ----

type Image = { h: number; w: number; c: number; v: Float64Array };

function conv(
  x: Image,
  kernel: { shape: number[]; values: Float64Array },
  bias: Float64Array,
  stride: number,
): Image {
  const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number];
  const oh = Math.ceil(x.h / stride);
  const ow = Math.ceil(x.w / stride);
  // TensorFlow 'same' padding: the total is split with the smaller half before.
  const padTop = Math.floor(Math.max((oh - 1) * stride + kh - x.h, 0) / 2);
  const padLeft = Math.floor(Math.max((ow - 1) * stride + kw - x.w, 0) / 2);
  const out = new Float64Array(oh * ow * cout);
  for (let i = 0; i < oh; i++)
    for (let j = 0; j < ow; j++)
      for (let o = 0; o < cout; o++) {
        let s = bias[o]!;
        for (let a = 0; a < kh; a++)
          for (let b = 0; b < kw; b++) {
            const y = i * stride + a - padTop;
            const z = j * stride + b - padLeft;
            if (y < 0 || y >= x.h || z < 0 || z >= x.w) continue;
            for (let k = 0; k < cin; k++)
              s += x.v[(y * x.w + z) * cin + k]! * kernel.values[((a * kw + b) * cin + k) * cout + o]!;
          }
        out[(i * ow + j) * cout + o] = s;
      }
  return { h: oh, w: ow, c: cout, v: out };
}

function map(x: Image, f: (value: number, channel: number) => number): Image {
  return { ...x, v: x.v.map((value, i) => f(value, i % x.c)) };
}

test('the forward pass equals an independent float64 implementation of resnet_v1 (depth 8, inference mode)', () => {
  const numFilters = 4;
  const model = resnetV1({ depth: 8, inputShape: [8, 8, 3], numFilters, seed: 5, numClasses: 3 });
  const rng = createRng(99);
  // Random BN parameters and statistics, so that every BN layer matters.
  for (const w of model.weights) {
    if (!/_bn\d?\//.test(w.originalName)) continue;
    const size = w.shape[0] as number;
    const positive = /gamma|variance/.test(w.originalName);
    const values = Float32Array.from({ length: size }, () =>
      positive ? 0.5 + rng.next() : rng.normal() * 0.3,
    );
    w.write(tf.tensor1d(values));
  }
  const W = weightsByName(model);
  const get = (name: string) => W.get(name)!;
  const convLayer = (x: Image, name: string, stride = 1) =>
    conv(x, get(`${name}/kernel`), get(`${name}/bias`).values, stride);
  const bn = (x: Image, name: string) => {
    const g = get(`${name}/gamma`).values;
    const b = get(`${name}/beta`).values;
    const m = get(`${name}/moving_mean`).values;
    const v = get(`${name}/moving_variance`).values;
    return map(x, (value, c) => ((value - m[c]!) / Math.sqrt(v[c]! + 1e-3)) * g[c]! + b[c]!);
  };
  const relu = (x: Image) => map(x, (value) => Math.max(value, 0));
  const add = (x: Image, y: Image) => ({ ...x, v: x.v.map((value, i) => value + y.v[i]!) });

  const images = Float32Array.from({ length: 2 * 8 * 8 * 3 }, () => rng.normal());
  const out = tf.tidy(() => model.apply(tf.tensor4d(images, [2, 8, 8, 3]), { training: false }) as tf.Tensor);
  const actual = out.dataSync();
  out.dispose();
  for (let e = 0; e < 2; e++) {
    let x: Image = { h: 8, w: 8, c: 3, v: Float64Array.from(images.subarray(e * 192, (e + 1) * 192)) };
    x = relu(bn(convLayer(x, 'stem_conv'), 'stem_bn'));
    for (const stack of [1, 2, 3]) {
      const stride = stack > 1 ? 2 : 1;
      const p = `stack${stack}_block1_`;
      let y = relu(bn(convLayer(x, `${p}conv1`, stride), `${p}bn1`));
      y = bn(convLayer(y, `${p}conv2`), `${p}bn2`);
      if (stack > 1) x = convLayer(x, `${p}shortcut`, stride);
      x = relu(add(x, y));
    }
    assert.equal(x.h * x.w, 4);
    const pooled = Array.from({ length: x.c }, (_, c) => {
      let s = 0;
      for (let i = 0; i < x.h * x.w; i++) s += x.v[i * x.c + c]!;
      return s / (x.h * x.w);
    });
    const kernel = get('dense/kernel').values;
    const bias = get('dense/bias').values;
    const logits = [0, 1, 2].map((k) => pooled.reduce((s, f, c) => s + f * kernel[c * 3 + k]!, bias[k]!));
    const top = Math.max(...logits);
    const z = logits.reduce((s, l) => s + Math.exp(l - top), 0);
    for (let k = 0; k < 3; k++) {
      const expected = Math.exp(logits[k]! - top) / z;
      assert.ok(
        Math.abs(actual[e * 3 + k]! - expected) < 1e-5,
        `example ${e} class ${k}: ${actual[e * 3 + k]} vs ${expected}`,
      );
    }
  }
  model.dispose();
});

test('resnetV1Size counts the weights and layers without building; absurd sizes are refused before building', () => {
  assert.equal(resnetV1Size({ depth: 20 }).weights, 274_442);
  assert.equal(resnetV1Size({ depth: 56 }).weights, 861_770);
  const options = { depth: 14, numFilters: 3, numClasses: 7, inputShape: [8, 8, 2] } as const;
  const model = resnetV1({ ...options, seed: 1 });
  const size = resnetV1Size(options);
  assert.equal(
    size.weights,
    model.weights.reduce((s, w) => s + w.shape.reduce((a, b) => a! * b!, 1)!, 0),
  );
  assert.equal(size.layers, model.layers.length);
  model.dispose();
  // Without the bound these build layers until memory runs out.
  for (const depth of [60_000_002, 6_000_000_002]) {
    assert.throws(
      () => resnetV1({ depth }),
      /^RangeError: resnetV1: depth \d+ with numFilters 16 means .* weights in .* layers, about .* GB to build and train, more than this machine's .* GB of memory; choose a smaller options\.depth or options\.numFilters$/,
    );
  }
  assert.throws(
    () => resnetV1({ depth: 20, numFilters: 1_000_000 }),
    /choose a smaller options\.depth or options\.numFilters/,
  );
});
