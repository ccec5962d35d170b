import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syntheticDataSource } from '../../src/data/sources/index.js';
import { normalizeModelSpec } from '../../src/models/modelRegistry.js';
import { normalizeMeasurementSpec, normalizeTrainingSpec } from '../../src/run/normalizeSpec.js';
import { canonicalJson, type RunSpec, runSpecHash, trainingHash } from '../../src/run/runSpec.js';
import { normalizeTracking } from '../../src/train/trackCurvature.js';

const spec: RunSpec = {
  data: {
    name: 'synthetic',
    dir: null,
    trainSize: null,
    testSize: null,
    params: syntheticDataSource.normalize({ n: 40, testN: 8, seed: 6 }, 'test'),
  },
  model: normalizeModelSpec({ name: 'resnetV1', options: { depth: 8 } }, 'test'),
  training: normalizeTrainingSpec({ loss: 'kld', learningRate: 0.1, batchSize: 8, epochs: 2 }, 'test'),
  measurement: normalizeMeasurementSpec({}, 'test'),
};

test('measurement.perLayer is written only when true, so older specs keep their hash', () => {
  assert.ok(!('perLayer' in spec.measurement));
  const off = normalizeMeasurementSpec({ perLayer: false }, 'test');
  assert.equal(canonicalJson(off), canonicalJson(spec.measurement));
  const on = normalizeMeasurementSpec({ perLayer: true }, 'test');
  assert.equal(on.perLayer, true);
  assert.notEqual(runSpecHash({ ...spec, measurement: on }), runSpecHash(spec));
  assert.equal(trainingHash({ ...spec, measurement: on }), trainingHash(spec));
  assert.throws(
    () => normalizeMeasurementSpec({ perLayer: true, estimator: 'xtrace', probes: 8 }, 'config.json'),
    /config\.json: field 'measurement\.perLayer' needs estimator 'hutchinson'/,
  );
  assert.throws(
    () => normalizeMeasurementSpec({ perLayer: true, noise: 'twoBatch' }, 'config.json'),
    /measurement\.perLayer' needs .* noise 'perExample'/,
  );
  assert.throws(() => normalizeMeasurementSpec({ perLayer: 'yes' }, 'config.json'), /perLayer/);
});

test('tracking changes neither the training hash nor the run hash', () => {
  const tracked: RunSpec = { ...spec, tracking: normalizeTracking({ every: 2 }, 40) };
  assert.deepEqual(tracked.tracking, {
    every: 2,
    quantities: ['traceH', 'traceSigma', 'topEigenvalue'],
    examples: 40,
    probes: 10,
    eigenMatvecs: 20,
    batchSize: 64,
  });
  assert.equal(trainingHash(tracked), trainingHash(spec));
  assert.equal(runSpecHash(tracked), runSpecHash(spec));
});
