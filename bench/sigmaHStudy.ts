// A study, not a benchmark: on a trained network, the exact tr(σ²H) over n examples and the exact
// per-matvec spread of its two unbiased estimators — random sign combinations (gradientNoise's
// 'perExample' probes) and a subsample of per-example quadratic forms — plus the standard errors the
// sign estimator would report (sample SD, and the pairwise bound 2·mean_{k<l}(u_kᵀHu_l)²), and the
// per-matvec spread of the Tr H estimators over seeds. Prints JSON lines.
//   npx tsx bench/sigmaHStudy.ts            a small ResNet-8 trained here on synthetic 8×8 images
//   STUDY_RUN=DIR npx tsx bench/sigmaHStudy.ts   a run directory written by train or a sweep (its data,
//                                           model, loss and weights; batch-norm statistics recomputed)
//   STUDY_EXAMPLES (default 96), STUDY_SEEDS (default 8), STUDY_PROBES (default 24)
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initBackend } from '../src/backend/initBackend.js';
import { forEachExampleGradientBatch } from '../src/curvature/batchedExampleGradients.js';
import { hutchinsonTrace } from '../src/curvature/estimators/hutchinsonTrace.js';
import { hutchPlusPlusTrace } from '../src/curvature/estimators/hutchPlusPlusTrace.js';
import { xtrace } from '../src/curvature/estimators/xtrace.js';
import { hessianOperator } from '../src/curvature/hessianOperator.js';
import type { Dataset } from '../src/data/dataset.js';
import { dataSpecShape, loadData } from '../src/data/sources/index.js';
import { syntheticCifar10 } from '../src/data/syntheticCifar10.js';
import { loadWeights } from '../src/io/weights.js';
import { buildModel } from '../src/models/modelRegistry.js';
import { recomputeBatchNormStatistics } from '../src/models/recomputeBatchNormStatistics.js';
import { resnetV1 } from '../src/models/resnetV1.js';
import { readRunConfig, runPaths } from '../src/run/runDirectory.js';
import type { LossName } from '../src/train/losses.js';
import { trainSGD } from '../src/train/trainSGD.js';
import { createRng } from '../src/util/random.js';
import { positiveIntFromEnv } from './harness.js';

const n = positiveIntFromEnv('STUDY_EXAMPLES', 96);
const seeds = positiveIntFromEnv('STUDY_SEEDS', 8);
const K = positiveIntFromEnv('STUDY_PROBES', 24);
await initBackend({ quiet: true });
const print = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

/** The trained network and its first n training examples: a run directory's, or a ResNet-8 trained here. */
async function trainedNetwork(): Promise<{ model: LayersModel; data: Dataset; loss: LossName }> {
  const runDir = process.env.STUDY_RUN;
  if (runDir) {
    const config = readRunConfig(runDir);
    if (!config) throw new Error(`STUDY_RUN=${runDir}: no config.json there`);
    const spec = config.spec;
    const shape = dataSpecShape(spec.data);
    const split = await loadData({ ...spec.data, trainSize: n, testSize: 1 });
    const model = buildModel(spec.model, {
      inputShape: shape.inputShape,
      numClasses: shape.numClasses,
      seed: 0,
    });
    await loadWeights(model, runPaths(runDir).weights);
    print({ run: config.id, examples: n });
    return { model, data: split.train, loss: spec.training.loss };
  }
  const split = syntheticCifar10({ n: 1024, testN: 64, height: 8, width: 8, seed: 3 });
  const model = resnetV1({ depth: 8, inputShape: [8, 8, 3], numFilters: 8, seed: 1 });
  const t0 = performance.now();
  const trained = await trainSGD(model, split.train, {
    lr: 0.05,
    batchSize: 64,
    epochs: 6,
    quiet: true,
    seed: 1,
  });
  const last = trained.history.at(-1)!;
  print({ trained: { loss: last.loss, accuracy: last.accuracy, seconds: (performance.now() - t0) / 1000 } });
  const data = {
    images: tf.slice(split.train.images, [0, 0, 0, 0], [n, -1, -1, -1]) as tf.Tensor4D,
    labels: tf.slice(split.train.labels, [0], [n]) as tf.Tensor1D,
    numClasses: split.train.numClasses,
  };
  return { model, data, loss: 'kld' };
}

const { model, data, loss } = await trainedNetwork();
await recomputeBatchNormStatistics(model, data);
const hessian = hessianOperator(model, data, { batchSize: Math.min(n, 64), loss });
const dim = hessian.dim;
// Centred per-example gradients dᵢ = gᵢ − ḡ (data loss, inference mode), then M = DᵀHD by n products.
const d: Float64Array[] = [];
await forEachExampleGradientBatch(hessian.objective, async (_, gradients) => {
  const rows = gradients[0]!.shape[0]!;
  const values = await Promise.all(gradients.map((t) => t.data()));
  for (let r = 0; r < rows; r++) {
    const g = new Float64Array(dim);
    let offset = 0;
    gradients.forEach((t, k) => {
      const per = t.size / rows;
      g.set((values[k] as Float32Array).subarray(r * per, (r + 1) * per), offset);
      offset += per;
    });
    d.push(g);
  }
});
const mean = new Float64Array(dim);
for (const g of d) for (let q = 0; q < dim; q++) mean[q]! += g[q]! / n;
for (const g of d) for (let q = 0; q < dim; q++) g[q]! -= mean[q]!;
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, q) => s + x * b[q]!, 0);
const hd: Float64Array[] = [];
for (const g of d) hd.push(await hessian.matvec(g));
const M = d.map((_, i) => d.map((__, j) => dot(d[i]!, hd[j]!)));
let diag = 0;
let offSq = 0;
for (let i = 0; i < n; i++)
  for (let j = 0; j < n; j++) i === j ? (diag += M[i]![j]!) : (offSq += M[i]![j]! ** 2);
const exact = diag / (n - 1);
const signSd = Math.sqrt(2 * offSq) / (n - 1);
const diagValues = M.map((row, i) => (n / (n - 1)) * row[i]!);
const diagMean = diagValues.reduce((a, b) => a + b, 0) / n;
const subsampleSd = Math.sqrt(diagValues.reduce((s, x) => s + (x - diagMean) ** 2, 0) / n);
print({ traceSigmaH: { exact, examples: n, perMatvecSd: { randomSigns: signSd, subsample: subsampleSd } } });

// The sign estimator over seeds: its reported sample SE, and the pairwise bound.
const rng = createRng(7);
for (let s = 0; s < seeds; s++) {
  const u: Float64Array[] = [];
  const hu: Float64Array[] = [];
  for (let k = 0; k < K; k++) {
    const v = new Float64Array(dim);
    const signs = d.map(() => rng.sign());
    for (const [i, g] of d.entries()) {
      const sign = signs[i]!;
      for (let q = 0; q < dim; q++) v[q]! += (sign * g[q]!) / Math.sqrt(n - 1);
    }
    u.push(v);
    // H·u = Σᵢ sᵢ H dᵢ/√(n−1), by linearity from the n products already made (the estimator itself makes
    // one product per probe; the same number up to float32 rounding).
    const w = new Float64Array(dim);
    d.forEach((_, i) => {
      const sign = signs[i]!;
      const hdi = hd[i]!;
      for (let q = 0; q < dim; q++) w[q]! += (sign * hdi[q]!) / Math.sqrt(n - 1);
    });
    hu.push(w);
  }
  const values = u.map((v, k) => dot(v, hu[k]!));
  const m = values.reduce((a, b) => a + b, 0) / K;
  const sampleSd = Math.sqrt(values.reduce((s2, x) => s2 + (x - m) ** 2, 0) / (K - 1));
  let pairs = 0;
  let pairSq = 0;
  for (let k = 0; k < K; k++)
    for (let l = k + 1; l < K; l++) {
      pairSq += dot(u[k]!, hu[l]!) ** 2;
      pairs++;
    }
  print({
    signs: {
      seed: s,
      estimate: m,
      error: m - exact,
      sampleSd,
      pairBoundSd: Math.sqrt((2 * pairSq) / pairs),
      exactSd: signSd,
      probes: K,
    },
  });
}

// Tr H: the spread of each estimator over seeds at a fixed budget.
for (const name of ['hutchinson', 'hutchpp', 'xtrace'] as const) {
  const estimates: number[] = [];
  const ses: number[] = [];
  for (let s = 0; s < seeds; s++) {
    const r =
      name === 'hutchinson'
        ? await hutchinsonTrace(hessian, { probes: K, seed: s })
        : name === 'hutchpp'
          ? await hutchPlusPlusTrace(hessian, { matvecs: K, seed: s })
          : await xtrace(hessian, { matvecs: K, seed: s });
    estimates.push(r.estimate);
    ses.push(r.standardError);
  }
  const m = estimates.reduce((a, b) => a + b, 0) / seeds;
  const sd = Math.sqrt(estimates.reduce((s2, x) => s2 + (x - m) ** 2, 0) / (seeds - 1));
  print({
    traceH: {
      estimator: name,
      matvecs: K,
      mean: m,
      sdOverSeeds: sd,
      meanReportedSe: ses.reduce((a, b) => a + b, 0) / seeds,
    },
  });
}
