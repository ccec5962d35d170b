import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/backend/initBackend.js';
import { gaussianSmoothedDensity } from '../../src/curvature/estimators/gaussianSmoothedDensity.js';
import { hutchinsonTrace } from '../../src/curvature/estimators/hutchinsonTrace.js';
import { hutchPlusPlusTrace } from '../../src/curvature/estimators/hutchPlusPlusTrace.js';
import { spectralDensity } from '../../src/curvature/estimators/spectralDensity.js';
import { topEigenvalues } from '../../src/curvature/estimators/topEigenvalues.js';
import { xtrace } from '../../src/curvature/estimators/xtrace.js';
import { gradientCovarianceOperator } from '../../src/curvature/gradientCovarianceOperator.js';
import { hessianOperator } from '../../src/curvature/hessianOperator.js';
import { matrixOperator } from '../../src/curvature/linearOperator.js';
import { parallelHutchinsonTrace } from '../../src/curvature/parallel/parallelHutchinsonTrace.js';
import { trainingObjective } from '../../src/curvature/trainingObjective.js';
import { epochBatches } from '../../src/data/batches.js';
import type { Dataset } from '../../src/data/dataset.js';
import { downloadCifar10 } from '../../src/data/downloadCifar10.js';
import { loadCifar10 } from '../../src/data/loadCifar10.js';
import { syntheticCifar10 } from '../../src/data/syntheticCifar10.js';
import { writeCifar10Binary } from '../../src/data/writeCifar10Binary.js';
import { measureMinimum } from '../../src/experiments/measureMinimum.js';
import { loadWeights } from '../../src/io/weights.js';
import { rangeBasis, thinQR } from '../../src/linalg/qr.js';
import { symmetricEigen } from '../../src/linalg/symmetricEigen.js';
import { symmetricTridiagonalEigen } from '../../src/linalg/symmetricTridiagonalEigen.js';
import { resnetV1 } from '../../src/models/resnetV1.js';
import { gradientNoise } from '../../src/noise/gradientNoise.js';
import { runFactorsDemo } from '../../src/solvable/factorsDemo.js';
import { createLinearRegression } from '../../src/solvable/linearRegression.js';
import { createLogisticRegression } from '../../src/solvable/logisticRegression.js';
import { simulateSgd } from '../../src/solvable/simulateSgd.js';
import { discreteStationaryCovariance } from '../../src/theory/discreteStationaryCovariance.js';
import { stationaryCovariance } from '../../src/theory/stationaryCovariance.js';
import { transientCovariance } from '../../src/theory/transientCovariance.js';
import { evaluateModel } from '../../src/train/evaluate.js';
import { trainSGD } from '../../src/train/trainSGD.js';
import { checkOptionKeys, closestMatch, editDistance } from '../../src/util/options.js';
import { createProgress } from '../../src/util/progress.js';

let model: tfl.LayersModel;
let data: Dataset;
const dir = mkdtempSync(join(tmpdir(), 'sgd-factors-options-'));

before(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  model = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [1, 1, 2] }),
      tfl.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  data = {
    images: tf.randomNormal([4, 1, 1, 2], 0, 1, 'float32', 1) as tf.Tensor4D,
    labels: tf.tensor1d([0, 1, 2, 0], 'int32'),
    numClasses: 3,
  };
});

after(() => {
  tf.dispose([data.images, data.labels]);
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const op = matrixOperator({ data: Float64Array.from([2, 0, 0, 3]), size: 2 });
const identity = [
  [1, 0],
  [0, 1],
];
// biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
type Loose = any;

/** Every options-taking export, called with one misspelt option key, and the key it should suggest. */
const CASES: [name: string, call: (options: Loose) => unknown, typo: string, suggestion: string][] = [
  ['hutchinsonTrace', (o) => hutchinsonTrace(op, o), 'matvec', 'matvecs'],
  ['hutchinsonTrace', (o) => hutchinsonTrace(op, o), 'probe', 'matvecs'],
  ['hutchPlusPlusTrace', (o) => hutchPlusPlusTrace(op, o), 'probes', 'matvecs'],
  ['xtrace', (o) => xtrace(op, o), 'seeds', 'seed'],
  ['topEigenvalues', (o) => topEigenvalues(op, o), 'maxIters', 'maxMatvecs'],
  ['spectralDensity', (o) => spectralDensity(op, o), 'step', 'steps'],
  ['gaussianSmoothedDensity', (o) => gaussianSmoothedDensity({} as Loose, o), 'sigmas', 'sigma'],
  ['trainingObjective', (o) => trainingObjective(model, data, o), 'batchsize', 'batchSize'],
  ['hessianOperator', (o) => hessianOperator(model, data, o), 'bnmode', 'bnMode'],
  ['gradientCovarianceOperator', (o) => gradientCovarianceOperator(model, data, o), 'los', 'loss'],
  ['gradientNoise', (o) => gradientNoise(model, data, o), 'minibatch', 'minibatches'],
  ['measureMinimum', (o) => measureMinimum(model, data, o), 'probs', 'matvecs'],
  ['measureMinimum', (o) => measureMinimum(model, data, o), 'eigenMatvec', 'eigenMatvecs'],
  ['parallelHutchinsonTrace', (o) => parallelHutchinsonTrace(model, data, o), 'worker', 'workers'],
  ['trainSGD', (o) => trainSGD(model, data, { lr: 0.1, batchSize: 2, ...o }), 'epoch', 'epochs'],
  ['evaluateModel', (o) => evaluateModel(model, data, o), 'batchsize', 'batchSize'],
  ['resnetV1', (o) => resnetV1({ depth: 8, ...o }), 'numFilter', 'numFilters'],
  ['initBackend', (o) => initBackend(o), 'backnd', 'backend'],
  ['loadCifar10', (o) => loadCifar10(o), 'limt', 'limit'],
  ['downloadCifar10', (o) => downloadCifar10(o), 'cachedir', 'cacheDir'],
  ['syntheticCifar10', (o) => syntheticCifar10({ n: 4, ...o }), 'seeds', 'seed'],
  ['writeCifar10Binary', (o) => writeCifar10Binary(dir, o), 'seeds', 'seed'],
  ['epochBatches', (o) => epochBatches(10, 0, { batchSize: 2, ...o }), 'seeds', 'seed'],
  ['loadWeights', (o) => loadWeights(model, join(dir, 'none.safetensors'), o), 'strct', 'strict'],
  ['createLinearRegression', (o) => createLinearRegression(o), 'dims', 'dim'],
  ['createLogisticRegression', (o) => createLogisticRegression(o), 'dims', 'dim'],
  ['runFactorsDemo', (o) => runFactorsDemo(o), 'quik', 'quick'],
  [
    'simulateSgd',
    (o) => simulateSgd(createLinearRegression({ dim: 2 }), { lr: 0.1, batchSize: 1, ...o }),
    'seeds',
    'seed',
  ],
  [
    'symmetricTridiagonalEigen',
    (o) => symmetricTridiagonalEigen(new Float64Array(2), new Float64Array(1), o),
    'vector',
    'vectors',
  ],
  ['symmetricEigen', (o) => symmetricEigen(identity, o), 'vector', 'vectors'],
  ['thinQR', (o) => thinQR(new Float64Array(1), 1, 1, o), 'layot', 'layout'],
  ['rangeBasis', (o) => rangeBasis(new Float64Array(1), 1, 1, o), 'rtl', 'rtol'],
  [
    'stationaryCovariance',
    (o) => stationaryCovariance(identity, identity, o),
    'symmetryTolerence',
    'symmetryTolerance',
  ],
  [
    'transientCovariance',
    (o) => transientCovariance(identity, identity, 1, o),
    'symmetryTolerence',
    'symmetryTolerance',
  ],
  [
    'discreteStationaryCovariance',
    (o) => discreteStationaryCovariance(identity, identity, 0.1, 2, o),
    'symmetryTolerence',
    'symmetryTolerance',
  ],
  ['createProgress', (o) => createProgress({ label: 'x', total: 1, ...o }), 'silnt', 'silent'],
];

for (const [name, call, typo, suggestion] of CASES) {
  test(`${name} refuses the unknown option '${typo}' and suggests '${suggestion}'`, async () => {
    const before = tf.memory().numTensors;
    await assert.rejects(
      async () => call({ [typo]: 1 }),
      (error: Error) => {
        assert.ok(error instanceof TypeError, `${error}`);
        assert.equal(error.message, `${name}: unknown option '${typo}'; did you mean '${suggestion}'?`);
        return true;
      },
    );
    assert.equal(tf.memory().numTensors, before);
  });
}

test('a key close to nothing lists the known options; a non-object is refused', () => {
  const keys = { alpha: true, beta: true } as const;
  type AB = { alpha?: number; beta?: number };
  assert.throws(
    () => checkOptionKeys<AB>('f', { zzzzzz: 1 } as Loose, keys),
    /^TypeError: f: unknown option 'zzzzzz'; known options: alpha, beta$/,
  );
  assert.throws(
    () => checkOptionKeys<AB>('f', null as Loose, keys),
    /f: options must be an object, got null/,
  );
  assert.throws(() => checkOptionKeys<AB>('f', 3 as Loose, keys), /f: options must be an object, got number/);
  checkOptionKeys<AB>('f', undefined, keys);
  checkOptionKeys<AB>('f', { alpha: 1 }, keys);
});

test('editDistance and closestMatch', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('same', 'same'), 0);
  assert.equal(closestMatch('batchsize', ['batchSize', 'bnMode']), 'batchSize');
  assert.equal(closestMatch('xyz', ['batchSize', 'bnMode']), undefined);
});

test('deprecated names still work, but not together with the new ones', async () => {
  const viaOld = await hutchinsonTrace(op, { probes: 4, seed: 3 });
  const viaNew = await hutchinsonTrace(op, { matvecs: 4, seed: 3 });
  assert.deepEqual(viaOld, viaNew);
  await assert.rejects(hutchinsonTrace(op, { probes: 4, matvecs: 4 }), /give options\.matvecs only/);
  const top = await topEigenvalues(op, { maxIter: 2 });
  assert.equal(top.matvecs, 2);
});
