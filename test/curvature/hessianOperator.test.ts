import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import { hessianOperator } from '../../src/curvature/hessianOperator.js';
import { flattenTensors, unflattenToTensors } from '../../src/curvature/parameterVector.js';
import { explainingOutOfMemory, trainingObjective } from '../../src/curvature/trainingObjective.js';
import type { Dataset } from '../../src/data/dataset.js';
import { KerasBatchNormalization } from '../../src/models/batchNormalization.js';
import { createRng } from '../../src/util/random.js';
import {
  dimOf,
  matVec,
  objectiveGradient,
  objectiveHessian,
  randomVector,
  regressionProblem,
  relativeError,
  softmaxCrossEntropy,
} from './regressionFixtures.js';

before(async () => {
  await initBackend({ quiet: true });
});

// float32 forward/backward against float64 closed forms: a few ulps of float32 (6e-8) times the size of
// the sums involved; 2e-5 of the largest entry leaves a wide margin and still catches any wrong term.
const TOL = 2e-5;

for (const kind of ['linear', 'logistic'] as const) {
  for (const regularized of [true, false]) {
    test(`${kind} regression: H·v equals the closed-form Hessian times v (regularization ${regularized ? 'on' : 'off'})`, async () => {
      const p = regressionProblem(kind, { n: 13, d: 4, k: 3, seed: 7 });
      try {
        const op = hessianOperator(p.model, p.data, {
          loss: p.loss,
          batchSize: 5,
          includeRegularization: regularized,
        });
        const D = dimOf(p);
        assert.equal(op.dim, D);
        const H = objectiveHessian(p, regularized);
        for (let s = 0; s < 3; s++) {
          const v = randomVector(D, 100 + s);
          const hv = await op.matvec(v);
          assert.ok(relativeError(hv, matVec(H, v)) < TOL, `probe ${s}: ${relativeError(hv, matVec(H, v))}`);
        }
        assert.equal(op.matvecCount, 3);
      } finally {
        p.dispose();
      }
    });
  }
}

for (const [kind, lossName] of [
  ['softmax', 'kld'],
  ['softmax', 'crossEntropy'],
  ['softmax', 'squaredError'],
  ['logits', 'crossEntropy'],
] as const) {
  // These rely on the second-order gradients initBackend registers (Softmax recomputed from its input,
  // zero gradients of the comparisons in clipByValue's and logSumExp's gradients).
  test(`named loss '${lossName}' on a ${kind === 'softmax' ? 'softmax' : 'logits'} model: H·v equals the closed form`, async () => {
    const p = regressionProblem(kind, { n: 10, d: 3, k: 4, seed: 21, lossName });
    try {
      const op = hessianOperator(p.model, p.data, { loss: p.loss, batchSize: 4 });
      const H = objectiveHessian(p, true);
      for (let s = 0; s < 2; s++) {
        const v = randomVector(op.dim, 30 + s);
        assert.ok(relativeError(await op.matvec(v), matVec(H, v)) < TOL);
      }
      const exact = objectiveGradient(p, true);
      const got = await op.lossAndGradient();
      assert.ok(relativeError(got.gradient, exact.gradient) < TOL);
      assert.ok(Math.abs(got.loss - exact.loss) < 1e-5 * Math.abs(exact.loss));
    } finally {
      p.dispose();
    }
  });
}

test('matvecTensors returns the same product on parameter-shaped tensors', async () => {
  const p = regressionProblem('logistic', { n: 9, seed: 3 });
  try {
    const op = hessianOperator(p.model, p.data, { loss: p.loss, batchSize: 4 });
    const v = randomVector(op.dim, 5);
    const vs = unflattenToTensors(v, op.objective.shapes);
    const out = op.matvecTensors(vs);
    assert.deepEqual(
      out.map((t) => t.shape),
      vs.map((t) => t.shape),
    );
    assert.ok(relativeError(flattenTensors(out), await op.matvec(v)) < 1e-6);
    tf.dispose([...vs, ...out]);
    assert.throws(() => op.matvecTensors([vs[0]!]), /got 1 tensors, the model has 2/);
  } finally {
    p.dispose();
  }
});

test('the product does not depend on the chunk size', async () => {
  const p = regressionProblem('logistic', { n: 11, seed: 9 });
  try {
    const v = randomVector(dimOf(p), 1);
    const products = [];
    for (const batchSize of [1, 4, 11, 64]) {
      products.push(await hessianOperator(p.model, p.data, { loss: p.loss, batchSize }).matvec(v));
    }
    for (const hv of products.slice(1)) assert.ok(relativeError(hv, products[0]!) < 1e-6);
  } finally {
    p.dispose();
  }
});

test('with and without regularization differ by exactly 2λ·v on the regularized kernel', async () => {
  const p = regressionProblem('logistic', { n: 10, d: 3, k: 4, lambda: 0.3, seed: 2 });
  try {
    const v = randomVector(dimOf(p), 4);
    const on = await hessianOperator(p.model, p.data, { loss: p.loss }).matvec(v);
    const off = await hessianOperator(p.model, p.data, { loss: p.loss, includeRegularization: false }).matvec(
      v,
    );
    const kernelSize = p.d * p.k;
    for (let q = 0; q < v.length; q++) {
      const expected = q < kernelSize ? 2 * p.lambda * v[q]! : 0;
      assert.ok(Math.abs(on[q]! - off[q]! - expected) < 1e-5, `coordinate ${q}`);
    }
  } finally {
    p.dispose();
  }
});

for (const kind of ['linear', 'logistic'] as const) {
  test(`${kind} regression: lossAndGradient matches the closed-form objective and gradient`, async () => {
    const p = regressionProblem(kind, { n: 14, seed: 11 });
    try {
      for (const regularized of [true, false]) {
        const op = hessianOperator(p.model, p.data, {
          loss: p.loss,
          batchSize: 3,
          includeRegularization: regularized,
        });
        const exact = objectiveGradient(p, regularized);
        const got = await op.lossAndGradient();
        assert.ok(Math.abs(got.loss - exact.loss) < 1e-5 * Math.abs(exact.loss));
        assert.ok(relativeError(got.gradient, exact.gradient) < TOL);
        const normSq = exact.gradient.reduce((s, g) => s + g * g, 0);
        assert.ok(Math.abs(got.gradNormSq - normSq) < 1e-4 * normSq);
        assert.equal(got.examples, 14);
        const data = objectiveGradient(p, false);
        assert.ok(relativeError(got.dataGradient, data.gradient) < TOL);
        assert.ok(Math.abs(got.dataLoss - data.loss) < 1e-5 * data.loss);
      }
    } finally {
      p.dispose();
    }
  });
}

interface BatchNormProblem {
  model: tfl.LayersModel;
  data: Dataset;
  x: Float64Array[];
  labels: number[];
  dispose(): void;
}

/** flatten → dense(4) → batch norm → dense(3, L2) → logits; both batch-norm implementations. */
function batchNormProblem(keras: boolean): BatchNormProblem {
  const rng = createRng(5);
  const n = 16;
  const d = 3;
  const bn = keras
    ? new KerasBatchNormalization({ momentum: 0.5 })
    : tfl.layers.batchNormalization({ momentum: 0.5 });
  const model = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [1, 1, d] }),
      tfl.layers.dense({
        units: 4,
        kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }),
        biasInitializer: 'ones',
      }),
      bn,
      tfl.layers.dense({
        units: 3,
        kernelRegularizer: tfl.regularizers.l2({ l2: 0.01 }),
        kernelInitializer: tfl.initializers.glorotNormal({ seed: 2 }),
      }),
    ],
  });
  // Moving statistics and affine parameters away from their initial values, so that inference and train
  // modes differ visibly and every term of the batch-norm Hessian is exercised.
  const moved = [
    tf.tensor1d([1.2, 0.8, 1.1, 0.9]),
    tf.tensor1d([0.1, -0.2, 0.3, 0]),
    tf.fill([4], 0.3),
    tf.fill([4], 2),
  ];
  bn.setWeights(moved);
  tf.dispose(moved);
  const xs = Float32Array.from({ length: n * d }, () => rng.normal());
  const images = tf.tensor4d(xs, [n, 1, 1, d]);
  const labels = Array.from({ length: n }, () => rng.int(3));
  const labelTensor = tf.tensor1d(labels, 'int32');
  return {
    model,
    data: { images, labels: labelTensor, numClasses: 3 },
    x: Array.from({ length: n }, (_, i) => Float64Array.from(xs.subarray(i * d, (i + 1) * d))),
    labels,
    dispose() {
      tf.dispose([images, labelTensor]);
      model.dispose();
    },
  };
}

/**
 * The train-mode objective of {@link batchNormProblem} in float64 plain JS at parameters θ (flat, in
 * trainableWeights order: kernel1, bias1, gamma, beta, kernel2, bias2): batch statistics per chunk.
 */
function batchNormObjective(
  p: BatchNormProblem,
  theta: Float64Array,
  batchSize: number,
  epsilon: number,
): number {
  const d = 3;
  const h = 4;
  const k = 3;
  let o = 0;
  const take = (size: number) => theta.subarray(o, (o += size));
  const [W1, b1, gamma, beta, W2, b2] = [take(d * h), take(h), take(h), take(h), take(h * k), take(k)];
  const n = p.x.length;
  let total = 0;
  for (let start = 0; start < n; start += batchSize) {
    const rows = p.x.slice(start, Math.min(start + batchSize, n));
    const hidden = rows.map((x) =>
      Array.from({ length: h }, (_, j) => b1[j]! + x.reduce((s, xa, a) => s + xa * W1[a * h + j]!, 0)),
    );
    const mean = Array.from({ length: h }, (_, j) => hidden.reduce((s, r) => s + r[j]!, 0) / rows.length);
    const variance = Array.from(
      { length: h },
      (_, j) => hidden.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / rows.length,
    );
    hidden.forEach((r, i) => {
      const normed = r.map(
        (v, j) => ((v - mean[j]!) / Math.sqrt(variance[j]! + epsilon)) * gamma[j]! + beta[j]!,
      );
      const z = Array.from(
        { length: k },
        (_, c) => b2[c]! + normed.reduce((s, v, j) => s + v * W2[j * k + c]!, 0),
      );
      total += Math.log(z.reduce((s, v) => s + Math.exp(v), 0)) - z[p.labels[start + i]!]!;
    });
  }
  let penalty = 0;
  for (const w of W2) penalty += 0.01 * w * w;
  return total / n + penalty;
}

for (const keras of [false, true]) {
  test(`bnMode 'train' (${keras ? 'KerasBatchNormalization' : 'tfjs BatchNormalization'}): batch statistics per chunk, moving statistics untouched`, async () => {
    const p = batchNormProblem(keras);
    try {
      const movingBefore = p.model.nonTrainableWeights.map((w) => Array.from(w.read().dataSync()));
      const train = hessianOperator(p.model, p.data, {
        loss: softmaxCrossEntropy,
        bnMode: 'train',
        batchSize: 8,
      });
      const inference = hessianOperator(p.model, p.data, { loss: softmaxCrossEntropy, batchSize: 8 });
      const theta = flattenTensors(train.objective.variables);
      const epsilon = 1e-3; // the default of both layers
      const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
      for (let s = 0; s < 2; s++) {
        const v = randomVector(train.dim, 10 + s);
        const hv = await train.matvec(v);
        // vᵀHv against a float64 second difference of the objective along v (truncation O(ε²), rounding ≈ 1e-16·f/ε²: both below 1e-6).
        const eps = 1e-4;
        const at = (t: number) =>
          batchNormObjective(
            p,
            Float64Array.from(theta, (x, i) => x + t * v[i]!),
            8,
            epsilon,
          );
        const fd = (at(eps) - 2 * at(0) + at(-eps)) / (eps * eps);
        assert.ok(Math.abs(dot(v, hv) - fd) < 1e-4 * Math.abs(fd), `vᵀHv ${dot(v, hv)} vs ${fd}`);
        const hvInference = await inference.matvec(v);
        assert.ok(relativeError(hv, hvInference) > 1e-2, 'train mode must differ from inference mode');
      }
      const vs = unflattenToTensors(randomVector(train.dim, 3), train.objective.shapes);
      tf.dispose(train.matvecTensors(vs));
      tf.dispose(vs);
      await train.lossAndGradient();
      const movingAfter = p.model.nonTrainableWeights.map((x) => Array.from(x.read().dataSync()));
      assert.deepEqual(movingAfter, movingBefore);
    } finally {
      p.dispose();
    }
  });
}

test('no tensor growth across matvecs and gradients', async () => {
  const p = regressionProblem('logistic', { n: 10, seed: 4 });
  try {
    const op = hessianOperator(p.model, p.data, { loss: p.loss, batchSize: 3 });
    const v = randomVector(op.dim, 3);
    await op.matvec(v);
    await op.lossAndGradient();
    const start = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) {
      await op.matvec(v);
      await op.lossAndGradient();
    }
    assert.equal(tf.memory().numTensors, start);
  } finally {
    p.dispose();
  }
});

test('bad arguments are rejected with messages naming them', async () => {
  const p = regressionProblem('linear', { n: 4 });
  try {
    const op = hessianOperator(p.model, p.data, { loss: p.loss });
    await assert.rejects(
      op.matvec(new Float64Array(3)),
      /expected a Float64Array of length 12, got length 3/,
    );
    assert.throws(
      () => hessianOperator(p.model, p.data, { loss: p.loss, batchSize: 0 }),
      /options\.batchSize/,
    );
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
    assert.throws(() => hessianOperator(p.model, p.data, { loss: p.loss, bnMode: 'eval' as any }), /bnMode/);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
    assert.throws(() => hessianOperator(p.model, p.data, { loss: 'hinge' as any }), /unknown loss 'hinge'/);
  } finally {
    p.dispose();
  }
});

test('an unbuilt Sequential still gets its regularization penalty (the operator builds the model)', async () => {
  const tflModel = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [1, 1, 2] }),
      tfl.layers.dense({ units: 2, kernelRegularizer: tfl.regularizers.l2({ l2: 0.25 }) }),
    ],
  });
  const data: Dataset = {
    images: tf.tensor4d([1, 2, 3, 4], [2, 1, 1, 2]),
    labels: tf.tensor1d([0, 1], 'int32'),
    numClasses: 2,
  };
  try {
    assert.equal(
      tf.tidy(() => tflModel.calculateLosses().length),
      0,
      'premise: unbuilt, no penalty yet',
    );
    const op = hessianOperator(tflModel, data, { loss: softmaxCrossEntropy });
    const { regularization } = await op.lossAndGradient();
    const kernel = Array.from(tflModel.trainableWeights[0]!.read().dataSync());
    const expected = 0.25 * kernel.reduce((s, w) => s + w * w, 0);
    assert.ok(
      expected > 0 && Math.abs(regularization - expected) < 1e-6 * expected,
      `${regularization} vs ${expected}`,
    );
    const wrong = tf.zeros([2, 3, 3, 1]) as tf.Tensor4D;
    try {
      assert.throws(
        () => hessianOperator(tflModel, { ...data, images: wrong }, { loss: softmaxCrossEntropy }),
        /cannot take the data's images \[n, 3, 3, 1\]/,
      );
    } finally {
      wrong.dispose();
    }
  } finally {
    tf.dispose([data.images, data.labels]);
    tflModel.dispose();
  }
});

test("the wasm backend's bare Aborted() becomes an error naming the chunk size", () => {
  const p = regressionProblem('linear', { n: 4 });
  try {
    const objective = trainingObjective(p.model, p.data, { loss: p.loss, batchSize: 3 });
    assert.equal(tf.getBackend(), 'wasm');
    assert.throws(
      () =>
        explainingOutOfMemory(objective, 'hessianOperator', () => {
          throw new Error('Aborted(). Build with -sASSERTIONS for more info.');
        }),
      /hessianOperator: the wasm backend ran out of memory .* on a chunk of 3 examples; use a smaller batchSize/,
    );
    assert.throws(
      () =>
        explainingOutOfMemory(objective, 'hessianOperator', () => {
          throw new RangeError('something else');
        }),
      /^RangeError: something else$/,
    );
    assert.equal(
      explainingOutOfMemory(objective, 'x', () => 7),
      7,
    );
  } finally {
    p.dispose();
  }
});
