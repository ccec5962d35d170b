import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/initBackend.js';
import {
  cachedFashionMnistDir,
  defaultFashionMnistCacheDir,
  downloadFashionMnist,
  loadFashionMnist,
} from '../../src/data/fashionMnist.js';
import { cachedMnistDir, defaultMnistCacheDir, downloadMnist, loadMnist } from '../../src/data/mnist.js';
import type { ExpectedFile, MnistLikeFileKey } from '../../src/data/mnistLikeFormat.js';
import { writeMnistLikeDir } from './writeIdx.js';

const KEYS: [MnistLikeFileKey, string][] = [
  ['trainImages', 'train-images-idx3-ubyte.gz'],
  ['trainLabels', 'train-labels-idx1-ubyte.gz'],
  ['testImages', 't10k-images-idx3-ubyte.gz'],
  ['testLabels', 't10k-labels-idx1-ubyte.gz'],
];
let work: string;
let source: string;
const files = new Map<string, Buffer>();
let server: Server;
let base: string;
const hits = new Map<string, number>();

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

/** The generated files' own sizes and MD5s, passed in place of the official ones. */
function expectedFiles(): Record<MnistLikeFileKey, ExpectedFile> {
  const out = {} as Record<MnistLikeFileKey, ExpectedFile>;
  for (const [key, name] of KEYS) {
    const body = files.get(name) as Buffer;
    out[key] = { bytes: body.length, md5: md5(body) };
  }
  return out;
}

before(async () => {
  await initBackend({ quiet: true });
  work = mkdtempSync(join(tmpdir(), 'sgd-factors-idx-dl-'));
  source = join(work, 'source');
  writeMnistLikeDir(source, { train: 25, test: 10, seed: 11, gzip: true });
  for (const [, name] of KEYS) files.set(name, readFileSync(join(source, name)));
  server = createServer((req, res) => {
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const [, dir, name] = path.split('/');
    const body = files.get(name ?? '');
    if (dir === 'moved' && body) {
      res.writeHead(302, { location: `/ok/${name}` }).end();
      return;
    }
    // /wrong/: the test images arrive with one byte flipped; /gone/: the test labels are missing.
    if (
      !body ||
      (dir === 'gone' && name === 't10k-labels-idx1-ubyte.gz') ||
      !['ok', 'wrong', 'gone'].includes(dir ?? '')
    ) {
      res.writeHead(404, 'Not Found').end();
      return;
    }
    const sent = Buffer.from(body);
    if (dir === 'wrong' && name === 't10k-images-idx3-ubyte.gz')
      sent[sent.length >> 1] = (sent[sent.length >> 1] as number) ^ 0xff;
    res.writeHead(200, { 'content-length': sent.length, 'content-type': 'application/gzip' });
    res.end(sent);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

const requests = (dir: string): number =>
  KEYS.reduce((n, [, name]) => n + (hits.get(`/${dir}/${name}`) ?? 0), 0);

test('download, verify, load; a second call uses the cache without a request', async () => {
  const cacheDir = join(work, 'cache-ok');
  const data = await loadFashionMnist({
    download: true,
    cacheDir,
    baseUrl: `${base}/ok`,
    expectedFiles: expectedFiles(),
    silent: true,
    preprocess: 'scale',
  });
  assert.equal(requests('ok'), 4);
  assert.equal(data.dir, join(cacheDir, 'idx'));
  assert.equal(cachedFashionMnistDir(cacheDir), join(cacheDir, 'idx'));
  const direct = await loadFashionMnist({ dir: source, preprocess: 'scale' });
  assert.deepEqual(data.train.images.dataSync(), direct.train.images.dataSync());
  assert.deepEqual(data.test.labels.dataSync(), direct.test.labels.dataSync());
  tf.dispose([data.train, data.test, direct.train, direct.test].flatMap((d) => [d.images, d.labels]));
  // Only the verified directory remains: the four files (still gzipped) and the marker.
  assert.deepEqual(readdirSync(cacheDir), ['idx']);
  assert.deepEqual(
    readdirSync(join(cacheDir, 'idx')).sort(),
    ['.sgd-factors-verified.json', ...KEYS.map(([, n]) => n)].sort(),
  );
  for (const [, name] of KEYS) assert.deepEqual(readFileSync(join(cacheDir, 'idx', name)), files.get(name));

  assert.equal(
    await downloadFashionMnist({ cacheDir, baseUrl: `${base}/ok`, silent: true }),
    join(cacheDir, 'idx'),
  );
  const cached = await loadFashionMnist({ cacheDir, limit: 3 });
  tf.dispose([cached.train, cached.test].flatMap((d) => [d.images, d.labels]));
  assert.equal(requests('ok'), 4);
});

test('redirects are followed; a base address without a trailing slash works', async () => {
  const cacheDir = join(work, 'cache-moved');
  const before = requests('ok');
  const dir = await downloadMnist({
    cacheDir,
    baseUrl: `${base}/moved`,
    expectedFiles: expectedFiles(),
    silent: true,
  });
  assert.equal(requests('moved'), 4);
  assert.equal(requests('ok'), before + 4);
  assert.equal(cachedMnistDir(cacheDir), dir);
  const data = await loadMnist({ cacheDir, limit: 2, testLimit: 2 });
  assert.equal(data.dir, dir);
  tf.dispose([data.train, data.test].flatMap((d) => [d.images, d.labels]));
});

/** A failed download must leave nothing behind that looks like (or is) a cache. */
async function assertNoCache(cacheDir: string): Promise<void> {
  assert.equal(cachedFashionMnistDir(cacheDir), undefined);
  assert.deepEqual(existsSync(cacheDir) ? readdirSync(cacheDir) : [], []);
  await assert.rejects(loadFashionMnist({ cacheDir }), /loadFashionMnist: Fashion-MNIST is not in the cache/);
}

test('a wrong checksum or a missing file fails clearly after earlier files succeeded, and leaves nothing', async () => {
  const wrong = join(work, 'cache-wrong');
  await assert.rejects(
    downloadFashionMnist({
      cacheDir: wrong,
      baseUrl: `${base}/wrong/`,
      expectedFiles: expectedFiles(),
      silent: true,
    }),
    /checksum mismatch for http:\/\/127\.0\.0\.1:\d+\/wrong\/t10k-images-idx3-ubyte\.gz/,
  );
  assert.equal(hits.get('/wrong/train-images-idx3-ubyte.gz'), 1);
  await assertNoCache(wrong);
  const gone = join(work, 'cache-gone');
  await assert.rejects(
    downloadFashionMnist({
      cacheDir: gone,
      baseUrl: `${base}/gone/`,
      expectedFiles: expectedFiles(),
      silent: true,
    }),
    /HTTP 404 Not Found from http:\/\/127\.0\.0\.1:\d+\/gone\/t10k-labels-idx1-ubyte\.gz/,
  );
  await assertNoCache(gone);
  // The official sizes are enforced when no overrides are given: the small generated file is refused.
  const official = join(work, 'cache-official');
  await assert.rejects(
    downloadFashionMnist({ cacheDir: official, baseUrl: `${base}/ok/`, silent: true }),
    /ok\/train-images-idx3-ubyte\.gz announces \d+ bytes, expected 26421880/,
  );
  await assertNoCache(official);
});

test('an unverified leftover directory is replaced, not trusted or merged', async () => {
  const cacheDir = join(work, 'cache-stale');
  mkdirSync(join(cacheDir, 'idx'), { recursive: true });
  writeFileSync(join(cacheDir, 'idx', 'train-images-idx3-ubyte.gz'), 'junk');
  writeFileSync(join(cacheDir, 'idx', 'extra'), 'junk');
  assert.equal(cachedFashionMnistDir(cacheDir), undefined);
  const dir = await downloadFashionMnist({
    cacheDir,
    baseUrl: `${base}/ok`,
    expectedFiles: expectedFiles(),
    silent: true,
  });
  assert.equal(existsSync(join(dir, 'extra')), false);
  assert.deepEqual(
    readFileSync(join(dir, 'train-images-idx3-ubyte.gz')),
    files.get('train-images-idx3-ubyte.gz'),
  );
  assert.deepEqual(readdirSync(cacheDir), ['idx']);
});

test('bad expected values are RangeErrors; default cache directories follow XDG_CACHE_HOME', async () => {
  const cacheDir = join(work, 'cache-bad');
  await assert.rejects(
    downloadMnist({ cacheDir, baseUrl: base, expectedFiles: { testLabels: { bytes: 10, md5: 'abc' } } }),
    /downloadMnist: expectedFiles\.testLabels\.md5 must be 32 hex digits, got 'abc'/,
  );
  await assert.rejects(
    downloadFashionMnist({
      cacheDir,
      baseUrl: base,
      expectedFiles: { trainImages: { bytes: 0, md5: 'a'.repeat(32) } },
    }),
    /downloadFashionMnist: expectedFiles\.trainImages\.bytes must be a positive integer, got 0/,
  );
  assert.equal(existsSync(cacheDir), false);
  const saved = process.env.XDG_CACHE_HOME;
  try {
    process.env.XDG_CACHE_HOME = '/var/cache/x';
    assert.equal(defaultFashionMnistCacheDir(), '/var/cache/x/sgd-factors/fashion-mnist');
    assert.equal(defaultMnistCacheDir(), '/var/cache/x/sgd-factors/mnist');
    process.env.XDG_CACHE_HOME = 'relative';
    assert.equal(defaultMnistCacheDir(), join(homedir(), '.cache', 'sgd-factors', 'mnist'));
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  }
});
