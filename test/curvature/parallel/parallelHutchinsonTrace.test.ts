import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initBackend } from '../../../src/backend/initBackend.js';
import { hutchinsonTrace } from '../../../src/curvature/estimators/hutchinsonTrace.js';
import { hessianOperator } from '../../../src/curvature/hessianOperator.js';
import { type ModelArchitecture, snapshotModel } from '../../../src/curvature/parallel/modelSnapshot.js';
import { parallelHutchinsonTrace } from '../../../src/curvature/parallel/parallelHutchinsonTrace.js';
import type { Dataset } from '../../../src/data/dataset.js';
import { type ResNetV1Options, resnetV1 } from '../../../src/models/resnetV1.js';
import { createRng } from '../../../src/util/random.js';

// A ResNet-8 on 8×8 images with 4 filters (≈ 3,000 parameters) and 6 examples in chunks of 1: a product
// takes ≈ 150 ms (per-op overhead, ≈ 25 ms a chunk), long enough that both workers get probes although one
// may start a little later than the other (starting takes ≈ 0.5 s).
const ARCHITECTURE: ResNetV1Options = {
  depth: 8,
  inputShape: [8, 8, 3],
  numFilters: 4,
  numClasses: 3,
  seed: 1,
};

/** The registry's description of a resnetV1 built with these options. */
function registered(options: ResNetV1Options): ModelArchitecture {
  return {
    kind: 'registered',
    model: {
      name: 'resnetV1',
      options: {
        depth: options.depth,
        numFilters: options.numFilters ?? 16,
        weightDecay: options.weightDecay ?? 1e-4,
      },
    },
    context: {
      inputShape: options.inputShape ?? [32, 32, 3],
      numClasses: options.numClasses ?? 10,
      seed: options.seed ?? 0,
    },
  };
}
const OBJECTIVE = { batchSize: 1, loss: 'kld' as const };
const RESNET_MODULE = new URL('../../../src/models/resnetV1.ts', import.meta.url).href;

/** OS threads of this process (Linux): a worker that was not terminated keeps its thread. */
function threadCount(): number | undefined {
  return existsSync('/proc/self/task') ? readdirSync('/proc/self/task').length : undefined;
}

describe('parallelHutchinsonTrace', () => {
  let model: LayersModel;
  let data: Dataset;

  before(async () => {
    await initBackend({ quiet: true });
    model = resnetV1(ARCHITECTURE);
    const rng = createRng(5);
    // Moving statistics away from their initial 0 and 1, so the values depend on the non-trainable
    // weights reaching the workers too.
    for (const w of model.weights) {
      if (w.originalName.endsWith('moving_mean') || w.originalName.endsWith('moving_variance')) {
        const variance = w.originalName.endsWith('moving_variance');
        const values = Float32Array.from({ length: w.shape[0]! }, () =>
          variance ? 0.5 + rng.nextDouble() : 0.3 * rng.normal(),
        );
        const t = tf.tensor1d(values);
        w.write(t);
        t.dispose();
      }
    }
    const n = 6;
    const images = Float32Array.from({ length: n * 8 * 8 * 3 }, () => rng.normal());
    const labels = Int32Array.from({ length: n }, () => rng.int(3));
    data = { images: tf.tensor4d(images, [n, 8, 8, 3]), labels: tf.tensor1d(labels, 'int32'), numClasses: 3 };
  });

  after(() => {
    model.dispose();
    tf.dispose([data.images, data.labels]);
  });

  test('equals the in-process estimator bit for bit with 1 and 2 workers, and leaves no worker behind', async () => {
    const op = hessianOperator(model, data, OBJECTIVE);
    const reference = await hutchinsonTrace(op, { probes: 8, seed: 3 });
    const tensors = tf.memory().numTensors;

    const progress: number[] = [];
    const one = await parallelHutchinsonTrace(model, data, {
      ...OBJECTIVE,
      probes: 8,
      seed: 3,
      workers: 1,
      onProgress: ({ stage, done }) => progress.push(stage === 'parallelHutchinsonTrace' ? done : Number.NaN),
    });
    assert.equal(one.workers, 1);
    assert.deepEqual(one.probesPerWorker, [8]);
    assert.ok(one.readySeconds[0]! > 0);
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8]);

    const threads = threadCount();
    // The architecture by factory module this time (the model above went by its topology JSON).
    const snapshot = await snapshotModel(model, {
      kind: 'module',
      url: RESNET_MODULE,
      exportName: 'resnetV1',
      options: ARCHITECTURE,
    });
    const two = await parallelHutchinsonTrace(snapshot, data, {
      ...OBJECTIVE,
      probes: 8,
      seed: 3,
      workers: 2,
    });
    assert.equal(two.workers, 2);
    assert.equal(two.probesPerWorker[0]! + two.probesPerWorker[1]!, 8);
    assert.ok(
      two.probesPerWorker.every((c) => c > 0),
      `both workers computed probes: ${two.probesPerWorker}`,
    );
    assert.equal(threadCount(), threads, 'every worker thread has exited');
    assert.equal(tf.memory().numTensors, tensors, 'no tensors left in this thread');

    for (const result of [one, two]) {
      assert.deepEqual(result.probeValues, reference.probeValues);
      assert.ok(Object.is(result.estimate, reference.estimate));
      assert.ok(Object.is(result.standardError, reference.standardError));
      assert.equal(result.matvecs, 8);
      assert.equal(result.converged, true);
    }
    // A probe is a function of (seed, index): another seed gives other values.
    const other = await hutchinsonTrace(op, { probes: 1, seed: 4 });
    assert.notEqual(other.probeValues[0], reference.probeValues[0]);
  });

  test('stops where the adaptive estimator stops, with Gaussian probes', async () => {
    // A strong L2 penalty makes Tr H clearly positive, so the relative rule is met early (after 6 of 12).
    const architecture = { ...ARCHITECTURE, weightDecay: 0.1 };
    const regularized = resnetV1(architecture);
    const adaptive = { tol: 0.05, minProbes: 3, maxProbes: 12, seed: 7, distribution: 'gaussian' as const };
    const reference = await hutchinsonTrace(hessianOperator(regularized, data, OBJECTIVE), adaptive);
    assert.ok(reference.converged && reference.matvecs < 12, 'the fixture stops before maxProbes');
    const snapshot = await snapshotModel(regularized, registered(architecture));
    regularized.dispose();
    const parallel = await parallelHutchinsonTrace(snapshot, data, { ...OBJECTIVE, ...adaptive, workers: 2 });
    assert.deepEqual(parallel.probeValues, reference.probeValues);
    assert.ok(Object.is(parallel.estimate, reference.estimate));
    assert.ok(Object.is(parallel.standardError, reference.standardError));
    assert.equal(parallel.matvecs, reference.matvecs);
    assert.equal(parallel.converged, true);
  });

  test("rejects with the worker's message when the weights do not fit, and terminates the workers on errors", async () => {
    const snapshot = await snapshotModel(model, registered(ARCHITECTURE));
    const kernel = snapshot.weights.get('stem_conv/kernel')!;
    snapshot.weights.set('stem_conv/kernel', { ...kernel, shape: [kernel.data.length] });
    const threads = threadCount();
    await assert.rejects(
      parallelHutchinsonTrace(snapshot, data, { ...OBJECTIVE, probes: 4, workers: 2 }),
      /parallelHutchinsonTrace: worker [01] failed to set up: .*'stem_conv\/kernel' has shape \[\d+\], model 'resnet8_v1' expects \[3, 3, 3, 4\]/,
    );
    assert.equal(threadCount(), threads, 'every worker thread has exited');
    // An error in this thread while workers run (here the progress callback) ends them too.
    await assert.rejects(
      parallelHutchinsonTrace(model, data, {
        ...OBJECTIVE,
        probes: 3,
        workers: 1,
        onProgress: () => {
          throw new Error('the progress display broke');
        },
      }),
      /the progress display broke/,
    );
    assert.equal(threadCount(), threads, 'every worker thread has exited');
  });

  test('refuses options that cannot be sent to a worker before starting any', async () => {
    await assert.rejects(
      parallelHutchinsonTrace(model, data, { loss: (() => tf.zeros([1])) as never, probes: 2 }),
      /options.loss must be one of 'kld', 'crossEntropy', 'squaredError' \(a loss function cannot be sent to a worker\)/,
    );
    await assert.rejects(parallelHutchinsonTrace(model, data, { workers: 0 }), RangeError);
    await assert.rejects(parallelHutchinsonTrace(model, data, { probes: 3, tol: 0.1 }), /not both/);
  });
});
