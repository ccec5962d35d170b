import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import { setSimdKernelsEnabled } from '../../src/backend/kernels/simd/simdKernels.js';
import {
  exampleGradientNorms,
  forEachExampleGradientBatch,
  projectedGradientSums,
} from '../../src/curvature/batchedExampleGradients.js';
import { forEachExampleGradient } from '../../src/curvature/exampleGradients.js';
import { unflattenToTensors } from '../../src/curvature/parameterVector.js';
import { type TrainingObjective, trainingObjective } from '../../src/curvature/trainingObjective.js';
import type { Dataset } from '../../src/data/dataset.js';
import { resnetV1 } from '../../src/models/resnetV1.js';
import { createRng } from '../../src/util/random.js';

before(async () => {
  await initBackend({ quiet: true });
});

function randomData(n: number, shape: [number, number, number], classes: number, seed: number): Dataset {
  const rng = createRng(seed);
  const size = n * shape[0] * shape[1] * shape[2];
  return {
    images: tf.tensor4d(
      Float32Array.from({ length: size }, () => rng.normal()),
      [n, ...shape],
    ),
    labels: tf.tensor1d(
      Int32Array.from({ length: n }, () => rng.int(classes)),
      'int32',
    ),
    numClasses: classes,
  };
}

/** A small MLP with an L2 penalty (which must stay out of per-example gradients). */
function mlp(seed: number): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [4, 4, 2] }));
  model.add(
    tfl.layers.dense({
      units: 7,
      activation: 'relu',
      kernelRegularizer: tfl.regularizers.l2({ l2: 1e-2 }),
      kernelInitializer: tfl.initializers.glorotNormal({ seed }),
      biasInitializer: tfl.initializers.randomNormal({ seed: seed + 1, stddev: 0.1 }),
    }),
  );
  model.add(
    tfl.layers.dense({
      units: 3,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotNormal({ seed: seed + 2 }),
    }),
  );
  return model;
}

/** ResNet-8 with non-trivial batch-norm weights and moving statistics. */
function resnet8(seed: number): tfl.LayersModel {
  const model = resnetV1({ depth: 8, inputShape: [8, 8, 3], numFilters: 4, numClasses: 5, seed });
  const rng = createRng(seed + 7);
  for (const w of model.weights) {
    const name = w.originalName;
    const draw = name.endsWith('/moving_variance')
      ? () => 0.5 + rng.nextDouble() * 1.5
      : name.endsWith('/gamma')
        ? () => 0.7 + 0.6 * rng.nextDouble()
        : name.endsWith('/beta') || name.endsWith('/moving_mean') || name.endsWith('/bias')
          ? () => 0.2 * rng.normal()
          : undefined;
    if (draw === undefined) continue;
    const t = tf.tensor(
      Float32Array.from({ length: (w.shape as number[]).reduce((a, b) => a * b, 1) }, draw),
      w.shape as number[],
    );
    w.write(t);
    t.dispose();
  }
  return model;
}

/** Every example's gradient from the batch-of-one loop (the reference). */
async function loopGradients(objective: TrainingObjective): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  await forEachExampleGradient(objective, (_, g) => {
    out.push(Float64Array.from(g));
  });
  return out;
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
}

function maxRelative(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

// float32 carries ε = 6e-8; a gradient entry sums at most a few hundred products and the two paths
// order them differently, so agreement to ~1e-5 relative to the largest entry is float32 rounding,
// while any missing term (a bias, a position, a channel) errs by far more.
const TOL = 2e-5;

const cases = [
  { name: 'MLP', build: () => mlp(3), data: () => randomData(11, [4, 4, 2], 3, 5), batchSize: 4 },
  { name: 'ResNet-8', build: () => resnet8(4), data: () => randomData(9, [8, 8, 3], 5, 6), batchSize: 4 },
];

for (const c of cases) {
  test(`${c.name}: batched per-example norms, gradients and projections equal the per-example loop`, async () => {
    const model = c.build();
    const data = c.data();
    try {
      const objective = trainingObjective(model, data, { batchSize: c.batchSize });
      const reference = await loopGradients(objective);
      const before = tf.memory().numTensors;

      const progress: number[] = [];
      const norms = await exampleGradientNorms(objective, (done) => progress.push(done));
      assert.deepEqual(
        progress,
        objective.chunks.map(([, end]) => end),
      );
      const sum = new Float64Array(objective.dim);
      reference.forEach((g, i) => {
        let sq = 0;
        for (let q = 0; q < g.length; q++) {
          sq += g[q]! * g[q]!;
          sum[q]! += g[q]!;
        }
        assert.ok(
          relative(norms.squaredNorms[i]!, sq) < TOL,
          `example ${i}: ${norms.squaredNorms[i]} vs ${sq}`,
        );
      });
      assert.ok(maxRelative(norms.gradientSum, sum) < TOL);
      // Per trainable weight: Σᵢ‖g_{i,b}‖² from the loop's gradients, block by block.
      let offset = 0;
      const blockSums = Float64Array.from(objective.variables, (variable) => {
        let s = 0;
        for (const g of reference) for (let q = offset; q < offset + variable.size; q++) s += g[q]! * g[q]!;
        offset += variable.size;
        return s;
      });
      assert.ok(maxRelative(norms.blockSquaredNorms, blockSums) < TOL);
      const total = norms.squaredNorms.reduce((s, x) => s + x, 0);
      const blockTotal = norms.blockSquaredNorms.reduce((s, x) => s + x, 0);
      assert.ok(relative(blockTotal, total) < 1e-12, 'blocks and examples sum to the same total');

      const seen: number[] = [];
      await forEachExampleGradientBatch(objective, (start, gradients) => {
        const rows = gradients[0]!.shape[0]!;
        for (let r = 0; r < rows; r++) {
          const flat = Float64Array.from(
            gradients.flatMap((t) => Array.from(tf.tidy(() => tf.gather(t, [r]).dataSync()))),
          );
          assert.ok(maxRelative(flat, reference[start + r]!) < TOL, `example ${start + r}`);
          seen.push(start + r);
        }
      });
      assert.deepEqual(seen, [...Array(objective.n).keys()]);

      const rng = createRng(11);
      const v = Float64Array.from({ length: objective.dim }, () => rng.normal());
      const vs = unflattenToTensors(v, objective.shapes);
      const projected = await projectedGradientSums(objective, vs);
      tf.dispose(vs);
      const a = Float64Array.from(reference, (g) => g.reduce((s, x, q) => s + x * v[q]!, 0));
      assert.ok(maxRelative(projected.directional, a) < TOL);
      const weighted = new Float64Array(objective.dim);
      reference.forEach((g, i) => {
        for (let q = 0; q < g.length; q++) weighted[q]! += a[i]! * g[q]!;
      });
      assert.ok(maxRelative(projected.weightedSum, weighted) < TOL);
      assert.ok(maxRelative(projected.gradientSum, sum) < TOL);
      assert.equal(tf.memory().numTensors, before);
    } finally {
      model.dispose();
      tf.dispose([data.images, data.labels]);
    }
  });
}

test('ResNet-8: the portable path (unfolded patches, no SIMD kernel) gives the same per-example norms', async () => {
  const model = resnet8(5);
  const data = randomData(6, [8, 8, 3], 5, 8);
  const previous = setSimdKernelsEnabled(false);
  try {
    const objective = trainingObjective(model, data, { batchSize: 3 });
    const reference = await loopGradients(objective);
    const norms = await exampleGradientNorms(objective);
    reference.forEach((g, i) => {
      const sq = g.reduce((s, x) => s + x * x, 0);
      assert.ok(
        relative(norms.squaredNorms[i]!, sq) < TOL,
        `example ${i}: ${norms.squaredNorms[i]} vs ${sq}`,
      );
    });
    await forEachExampleGradientBatch(objective, (start, gradients) => {
      const kernel = gradients[0]!.arraySync() as number[][][][][];
      const flat = Float64Array.from(kernel[0]!.flat(3));
      assert.ok(maxRelative(flat, reference[start]!.subarray(0, flat.length)) < TOL);
    });
  } finally {
    setSimdKernelsEnabled(previous);
    model.dispose();
    tf.dispose([data.images, data.labels]);
  }
});

test('batched per-example gradients refuse a train-mode objective and unsupported layers', async () => {
  const data = randomData(4, [4, 4, 2], 3, 1);
  const model = mlp(1);
  const odd = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [4, 4, 2] }),
      tfl.layers.layerNormalization(),
      tfl.layers.dense({ units: 3 }),
    ],
  });
  try {
    const before = tf.memory().numTensors;
    const train = trainingObjective(model, data, { bnMode: 'train' });
    await assert.rejects(exampleGradientNorms(train), /bnMode 'inference'.*got 'train'/);
    const unsupported = trainingObjective(odd, data, { loss: 'crossEntropy', outputs: 'logits' });
    await assert.rejects(
      exampleGradientNorms(unsupported),
      /layer '.*' of class LayerNormalization is not supported/,
    );
    assert.equal(tf.memory().numTensors, before);
  } finally {
    model.dispose();
    odd.dispose();
    tf.dispose([data.images, data.labels]);
  }
});

test('a wide convolution: per-example squared norms carry no float32 summation bias', async () => {
  // 3×3×64×64 = 36,864 kernel entries per example. Summed as one running float32 sum (tfjs-wasm's
  // innermost reduction) the small squares are lost to rounding and every norm comes out low: −3e-6
  // relative on a trained ResNet-20 (scripts/crosscheck/). The reference is the same per-example
  // gradients (forEachExampleGradientBatch) squared and summed in float64, so only the reduction differs.
  const model = tfl.sequential();
  model.add(
    tfl.layers.conv2d({
      inputShape: [6, 6, 64],
      filters: 64,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tfl.initializers.heNormal({ seed: 1 }),
    }),
  );
  model.add(tfl.layers.flatten());
  model.add(
    tfl.layers.dense({
      units: 4,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.heNormal({ seed: 2 }),
    }),
  );
  const data = randomData(16, [6, 6, 64], 4, 9);
  try {
    const objective = trainingObjective(model, data, { batchSize: 8 });
    const before = tf.memory().numTensors;
    const { squaredNorms } = await exampleGradientNorms(objective);
    const exact = new Float64Array(objective.n);
    await forEachExampleGradientBatch(objective, async (start, gradients) => {
      for (const t of gradients) {
        const values = await t.data();
        const size = values.length / t.shape[0]!;
        for (let q = 0; q < values.length; q++) exact[start + Math.floor(q / size)]! += values[q]! ** 2;
      }
    });
    const errors = Array.from(squaredNorms, (s, i) => (s - exact[i]!) / exact[i]!);
    const meanError = errors.reduce((a, e) => a + e, 0) / errors.length;
    // Summed in two stages the errors are float32 rounding of either sign (mean −5.8e-9 here); one
    // running sum came out low on every example (mean −7.4e-7).
    assert.ok(Math.abs(meanError) < 2e-7, `mean relative error ${meanError.toExponential(2)}`);
    assert.ok(Math.max(...errors.map(Math.abs)) < 1e-6, `errors ${errors.map((e) => e.toExponential(1))}`);
    assert.equal(tf.memory().numTensors, before);
  } finally {
    model.dispose();
    tf.dispose([data.images, data.labels]);
  }
});
