import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { datasetFromArrays } from '../../src/data/datasetArrays.js';
import {
  type DataSourceDefinition,
  dataIdentity,
  dataSource,
  dataSourceNames,
  dataSpecShape,
  loadData,
  prepareDataSpec,
  registerDataSource,
} from '../../src/data/sources/index.js';

const root = mkdtempSync(join(tmpdir(), 'sgdf-sources-'));
after(() => rmSync(root, { recursive: true, force: true }));
before(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

describe('data-source registry', () => {
  it('knows the built-in sources and their shapes without loading them', () => {
    assert.deepEqual(dataSourceNames().slice(0, 4), ['cifar10', 'fashion-mnist', 'mnist', 'synthetic']);
    assert.deepEqual(dataSource('fashion-mnist').shape({ preprocess: 'pixelMean' }), {
      inputShape: [28, 28, 1],
      numClasses: 10,
      trainSize: 60000,
      testSize: 10000,
    });
    assert.throws(
      () => dataSource('fashion_mnist'),
      /unknown dataset 'fashion_mnist' \(did you mean 'fashion-mnist'\?\)/,
    );
  });

  it('bounds sizes by what the source holds and by memory, naming the field', async () => {
    await assert.rejects(
      prepareDataSpec({ name: 'synthetic', params: { n: 200 }, testSize: 100000 }, 'train'),
      /train: testSize 100000 exceeds the 40 test examples synthetic has/,
    );
    await assert.rejects(
      prepareDataSpec({ name: 'synthetic', params: { n: 2_000_000 } }, 'train'),
      /need 27\.5 GiB, more than the bound of 2 GiB/,
    );
    await assert.rejects(
      prepareDataSpec({ name: 'synthetic', params: { n: 10, seeed: 1 } }, 'train'),
      /unknown field 'seeed' \(did you mean 'seed'\?\)/,
    );
    await assert.rejects(
      prepareDataSpec({ name: 'synthetic', params: { n: 10 }, dir: root }, 'train'),
      /synthetic is generated; it takes no directory or download/,
    );
    await assert.rejects(
      prepareDataSpec({ name: 'mnist', cacheDir: join(root, 'empty-cache') }, 'train'),
      /mnist: no files given and none in the cache .*; give --data DIR or --download/,
    );
    await assert.rejects(
      prepareDataSpec({ name: 'mnist', dir: join(root, 'nope') }, 'train'),
      /does not exist/,
    );
  });

  it('loads what the spec says, and the identity leaves out where the files are', async () => {
    const spec = await prepareDataSpec(
      {
        name: 'synthetic',
        params: { n: 30, seed: 2, height: 8, width: 8, channels: 1, numClasses: 3 },
        trainSize: 20,
        testSize: 4,
      },
      't',
    );
    assert.deepEqual(dataSpecShape(spec), {
      inputShape: [8, 8, 1],
      numClasses: 3,
      trainSize: 20,
      testSize: 4,
    });
    const data = await loadData(spec);
    assert.deepEqual(data.train.images.shape, [20, 8, 8, 1]);
    assert.deepEqual(data.test.images.shape, [4, 8, 8, 1]);
    tf.dispose([data.train.images, data.train.labels, data.test.images, data.test.labels]);
    assert.equal(tf.memory().numTensors, 0);
    assert.deepEqual(dataIdentity({ ...spec, dir: '/somewhere' }), dataIdentity(spec));
  });

  it('a user source registers and loads like a built-in one', async () => {
    const xor: DataSourceDefinition = {
      name: 'xor-test',
      summary: 'four points',
      readsFiles: false,
      normalize: () => ({}),
      shape: () => ({ inputShape: [2], numClasses: 2, trainSize: 4, testSize: 4 }),
      load: async () => {
        const arrays = {
          images: Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]),
          shape: [4, 2],
          labels: Int32Array.from([0, 1, 1, 0]),
          numClasses: 2,
        };
        return { train: datasetFromArrays(arrays), test: datasetFromArrays(arrays) };
      },
    };
    registerDataSource(xor);
    const spec = await prepareDataSpec({ name: 'xor-test' }, 't');
    const data = await loadData(spec);
    assert.deepEqual(data.train.images.shape, [4, 2]);
    tf.dispose([data.train.images, data.train.labels, data.test.images, data.test.labels]);
  });

  it('datasetFromArrays checks shapes, dtypes and labels, naming the offending index', () => {
    const ok = {
      images: new Float32Array(6),
      shape: [3, 2],
      labels: Int32Array.from([0, 1, 2]),
      numClasses: 3,
    };
    tf.dispose(Object.values(datasetFromArrays(ok)).filter((v) => v instanceof tf.Tensor));
    assert.throws(
      () => datasetFromArrays({ ...ok, labels: Int32Array.from([0, 7, 1]) }),
      /data.labels\[1\] is 7; labels must be integers in \[0, 3\)/,
    );
    assert.throws(
      () => datasetFromArrays({ ...ok, shape: [3, 3] }),
      /data.images has 6 values, shape \[3,3\] needs 9/,
    );
    assert.throws(
      () => datasetFromArrays({ ...ok, images: [0, 0, 0, 0, 0, 0] as unknown as Float32Array }),
      /data.images must be a Float32Array, got Array/,
    );
    assert.throws(
      () => datasetFromArrays({ ...ok, images: Float32Array.from([0, 0, Number.NaN, 0, 0, 0]) }),
      /data.images\[2\] is NaN/,
    );
    assert.equal(tf.memory().numTensors, 0);
  });
});
