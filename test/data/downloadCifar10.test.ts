import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { c as createTar } from 'tar';
import { initBackend } from '../../src/backend/initBackend.js';
import { cachedCifar10Dir, downloadCifar10 } from '../../src/data/downloadCifar10.js';
import { loadCifar10 } from '../../src/data/loadCifar10.js';
import { writeCifar10Binary } from '../../src/data/writeCifar10Binary.js';

const R = 20;
let work: string;
let archive: Buffer;
let evil: Buffer;
let server: Server;
let base: string;
const hits = new Map<string, number>();
let totalRequests = 0;
const MAX_REQUESTS = 200;

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

/** One ustar entry (header + content padded to 512 bytes), written by hand so the name can hold `..`. */
function tarEntry(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string): void => {
    header.write(value, offset, length, 'ascii');
  };
  field(0, 100, name);
  field(100, 8, '0000644\0');
  field(108, 8, '0000000\0');
  field(116, 8, '0000000\0');
  field(124, 12, `${content.length.toString(8).padStart(11, '0')}\0`);
  field(
    136,
    12,
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
  );
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const padded = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  content.copy(padded);
  return Buffer.concat([header, padded]);
}

before(async () => {
  await initBackend({ quiet: true });
  work = mkdtempSync(join(tmpdir(), 'sgd-factors-dl-'));
  const src = join(work, 'src');
  writeCifar10Binary(join(src, 'cifar-10-batches-bin'), { recordsPerFile: R, seed: 9 });
  const file = join(work, 'archive.tar.gz');
  await createTar({ gzip: true, file, cwd: src, portable: true }, ['cifar-10-batches-bin']);
  archive = readFileSync(file);
  // The real layout plus entries that climb out of the extraction directory.
  const names = readdirSync(join(src, 'cifar-10-batches-bin'));
  evil = gzipSync(
    Buffer.concat([
      tarEntry('../escaped.txt', Buffer.from('outside\n')),
      tarEntry('cifar-10-batches-bin/../../../escaped-far.txt', Buffer.from('outside\n')),
      ...names.map((n) =>
        tarEntry(`cifar-10-batches-bin/${n}`, readFileSync(join(src, 'cifar-10-batches-bin', n))),
      ),
      Buffer.alloc(1024),
    ]),
  );
  const wrong = Buffer.from(archive);
  wrong[wrong.length >> 1] = (wrong[wrong.length >> 1] as number) ^ 0xff;

  server = createServer((req, res) => {
    totalRequests++;
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (totalRequests > MAX_REQUESTS) {
      res.writeHead(429).end();
      return;
    }
    const send = (body: Buffer, length = body.length): void => {
      res.writeHead(200, { 'content-length': length, 'content-type': 'application/gzip' });
      res.end(body);
    };
    switch (path) {
      case '/cifar.tar.gz':
        return send(archive);
      case '/moved':
        res.writeHead(302, { location: '/cifar.tar.gz' }).end();
        return;
      case '/loop':
        res.writeHead(301, { location: '/loop' }).end();
        return;
      case '/truncated.tar.gz':
        return send(archive.subarray(0, archive.length - 1000));
      case '/wrong.tar.gz':
        return send(wrong);
      case '/evil.tar.gz':
        return send(evil);
      case '/dropped.tar.gz':
        // Announces the whole archive, sends half, then drops the connection.
        res.writeHead(200, { 'content-length': archive.length });
        res.write(archive.subarray(0, archive.length >> 1), () => res.destroy());
        return;
      default:
        res.writeHead(404, 'Not Found').end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

function freshCache(name: string): string {
  return join(work, `cache-${name}`);
}

function official(
  url: string,
  body: Buffer = archive,
): { url: string; expectedMd5: string; expectedBytes: number } {
  return { url: `${base}${url}`, expectedMd5: md5(body), expectedBytes: body.length };
}

test('download, verify, extract, load; a second call uses the cache without a request', async () => {
  const cacheDir = freshCache('ok');
  const before = hits.get('/cifar.tar.gz') ?? 0;
  const data = await loadCifar10({
    download: true,
    cacheDir,
    recordsPerFile: R,
    preprocess: 'scale',
    silent: true,
    ...official('/cifar.tar.gz'),
  });
  assert.equal(hits.get('/cifar.tar.gz'), before + 1);
  assert.equal(data.dir, join(cacheDir, 'cifar-10-batches-bin'));
  // Same content as reading the source directory directly.
  const direct = await loadCifar10({ dir: join(work, 'src'), recordsPerFile: R, preprocess: 'scale' });
  assert.deepEqual(data.train.images.dataSync(), direct.train.images.dataSync());
  assert.deepEqual(data.test.labels.dataSync(), direct.test.labels.dataSync());
  tf.dispose([data.train, data.test, direct.train, direct.test].flatMap((d) => [d.images, d.labels]));
  // Only the extracted directory remains: no archive, no staging directory.
  assert.deepEqual(readdirSync(cacheDir), ['cifar-10-batches-bin']);

  const again = await loadCifar10({
    download: true,
    cacheDir,
    recordsPerFile: R,
    silent: true,
    ...official('/cifar.tar.gz'),
  });
  assert.equal(hits.get('/cifar.tar.gz'), before + 1);
  tf.dispose([again.train, again.test].flatMap((d) => [d.images, d.labels]));
  // Without download, the filled cache is found too.
  const cached = await loadCifar10({ cacheDir, recordsPerFile: R });
  tf.dispose([cached.train, cached.test].flatMap((d) => [d.images, d.labels]));
  assert.equal(hits.get('/cifar.tar.gz'), before + 1);
});

test('redirects are followed, and a redirect loop is cut off', async () => {
  const before = hits.get('/cifar.tar.gz') ?? 0;
  const dir = await downloadCifar10({ cacheDir: freshCache('moved'), silent: true, ...official('/moved') });
  assert.equal(hits.get('/moved'), 1);
  assert.equal(hits.get('/cifar.tar.gz'), before + 1);
  assert.ok(existsSync(join(dir, 'data_batch_5.bin')));
  await assert.rejects(
    downloadCifar10({ cacheDir: freshCache('loop'), silent: true, maxRedirects: 3, ...official('/loop') }),
    /more than 3 redirects/,
  );
  assert.equal(hits.get('/loop'), 4);
});

/** A failed download must leave nothing behind that looks like (or is) a cache. */
function assertNoCache(cacheDir: string): void {
  assert.equal(cachedCifar10Dir(cacheDir), undefined);
  assert.deepEqual(existsSync(cacheDir) ? readdirSync(cacheDir) : [], []);
}

test('truncated, dropped and corrupted downloads and HTTP errors fail clearly and leave no cache', async () => {
  const cases: [string, Buffer | undefined, RegExp][] = [
    ['/truncated.tar.gz', archive, /announces \d+ bytes, expected \d+/],
    ['/dropped.tar.gz', archive, /closed after \d+ of \d+ bytes/],
    ['/wrong.tar.gz', archive, /checksum mismatch for http:\/\/127\.0\.0\.1:\d+\/wrong\.tar\.gz/],
    ['/missing.tar.gz', archive, /HTTP 404 Not Found from http:\/\/127\.0\.0\.1:\d+\/missing\.tar\.gz/],
  ];
  for (const [path, body, message] of cases) {
    const cacheDir = freshCache(path.slice(1));
    await assert.rejects(downloadCifar10({ cacheDir, silent: true, ...official(path, body) }), message, path);
    assertNoCache(cacheDir);
    await assert.rejects(loadCifar10({ cacheDir, recordsPerFile: R }), /not in the cache/);
  }
  // A server that sends no length: the size check after the transfer catches the truncation.
  const short = archive.subarray(0, 5000);
  const bare = createServer((_req, res) => {
    res.writeHead(200, { connection: 'close' });
    res.end(short);
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  try {
    const cacheDir = freshCache('bare');
    const url = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/x.tar.gz`;
    await assert.rejects(
      downloadCifar10({
        cacheDir,
        silent: true,
        url,
        expectedMd5: md5(archive),
        expectedBytes: archive.length,
      }),
      /truncated or wrong: got 5000 bytes, expected \d+/,
    );
    assertNoCache(cacheDir);
  } finally {
    await new Promise<void>((resolve) => bare.close(() => resolve()));
  }
});

test('an archive with ../ entries is refused and writes nothing outside the cache', async () => {
  const cacheDir = freshCache('evil');
  await assert.rejects(
    downloadCifar10({ cacheDir, silent: true, ...official('/evil.tar.gz', evil) }),
    /cannot extract .*evil\.tar\.gz: .*contains '\.\.'/,
  );
  assertNoCache(cacheDir);
  assert.equal(existsSync(join(work, 'escaped.txt')), false);
  assert.equal(existsSync(join(tmpdir(), 'escaped-far.txt')), false);
  assert.equal(existsSync(join(work, 'escaped-far.txt')), false);
  assert.ok(totalRequests <= MAX_REQUESTS);
});

test('bad expected values are RangeErrors', async () => {
  await assert.rejects(
    downloadCifar10({ cacheDir: freshCache('bad'), url: `${base}/x`, expectedMd5: 'abc', silent: true }),
    /expectedMd5 must be 32 hex digits/,
  );
  await assert.rejects(
    downloadCifar10({ cacheDir: freshCache('bad'), url: `${base}/x`, expectedBytes: 0, silent: true }),
    /expectedBytes must be a positive integer/,
  );
});

test('an extraction refused 50 times in a row fails with the tar error each time and leaves nothing', async () => {
  const cacheDir = freshCache('evil-50');
  for (let attempt = 0; attempt < 50; attempt++) {
    await assert.rejects(
      downloadCifar10({ cacheDir, silent: true, ...official('/evil.tar.gz', evil) }),
      (error: Error) => {
        // The tar error itself, never a clean-up error (ENOTEMPTY … rmdir) in its place.
        assert.match(
          error.message,
          /^downloadCifar10: cannot extract .*evil\.tar\.gz: .*contains '\.\.'/,
          `attempt ${attempt}`,
        );
        return true;
      },
    );
    assertNoCache(cacheDir);
  }
  assert.ok(totalRequests <= MAX_REQUESTS);
});

test('what killed downloads left in the cache is removed by the next call; a live process keeps its own', async () => {
  const cacheDir = freshCache('leftovers');
  mkdirSync(cacheDir, { recursive: true });
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  const dead = Number(child.stdout);
  const deadArchive = join(cacheDir, `.download-${dead}-0123456789ab.tar.gz`);
  const deadStaging = join(cacheDir, `.extract-${dead}-0123456789ab`);
  const liveArchive = join(cacheDir, `.download-${process.ppid}-0123456789ab.tar.gz`);
  writeFileSync(deadArchive, 'partial');
  mkdirSync(join(deadStaging, 'cifar-10-batches-bin'), { recursive: true });
  writeFileSync(join(deadStaging, 'cifar-10-batches-bin', 'data_batch_1.bin'), 'partial');
  writeFileSync(liveArchive, 'in progress');
  const dir = await downloadCifar10({ cacheDir, silent: true, ...official('/cifar.tar.gz') });
  assert.deepEqual(readdirSync(cacheDir).sort(), [
    `.download-${process.ppid}-0123456789ab.tar.gz`,
    'cifar-10-batches-bin',
  ]);
  assert.ok(existsSync(join(dir, 'data_batch_5.bin')));
});
