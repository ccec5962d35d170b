import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx, readIdxFile } from '../../src/data/idx.js';
import { idxBytes } from './writeIdx.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sgd-factors-idx-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const payload = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 37) % 256);

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

test('plain and gzipped files parse to the same magic, dims and payload', () => {
  const bytes = idxBytes([2, 3, 4], payload);
  for (const path of [write('plain', bytes), write('packed', gzipSync(bytes))]) {
    const idx = readIdxFile(path, IDX_IMAGES_MAGIC);
    assert.equal(idx.magic, 0x803);
    assert.deepEqual(idx.dims, [2, 3, 4]);
    assert.deepEqual([...idx.data], [...payload]);
  }
  // Gzip is recognised by its magic number, not the name.
  assert.deepEqual(readIdxFile(write('named.gz', bytes)).dims, [2, 3, 4]);
  const labels = readIdxFile(write('labels', idxBytes([3], Uint8Array.of(0, 9, 4))), IDX_LABELS_MAGIC);
  assert.deepEqual([labels.magic, labels.dims, [...labels.data]], [0x801, [3], [0, 9, 4]]);
  // Zero images is a valid (empty) file.
  assert.equal(parseIdx(idxBytes([0, 28, 28], new Uint8Array(0)), 'empty').data.length, 0);
});

test('every malformed file is an error naming the file and the problem', () => {
  const good = idxBytes([2, 3, 4], payload);
  const cases: [string, Uint8Array, RegExp, number?][] = [
    ['short', Uint8Array.of(0, 0), / has 2 bytes, too short for the 4-byte magic number/],
    ['float', idxBytes([2, 3, 4], payload, 0x0d03), / has magic number 0x00000d03, expected 0x000008DD/],
    ['text', Buffer.from('hello world, not IDX'), / has magic number 0x68656c6c/],
    ['rank0', idxBytes([], new Uint8Array(0), 0x800), / has magic number 0x00000800/],
    [
      'labels-as-images',
      idxBytes([24], payload),
      / has magic number 0x00000801 \(1 dimensions\), expected 0x00000803 \(3 dimensions\)/,
      IDX_IMAGES_MAGIC,
    ],
    ['header', good.subarray(0, 10), / is truncated: 10 bytes, shorter than its 16-byte header/],
    [
      'truncated',
      good.subarray(0, good.length - 1),
      / is truncated: dimensions \[2, 3, 4\] need 24 payload bytes, found 23/,
    ],
    [
      'trailing',
      Buffer.concat([good, Buffer.from([7, 7])]),
      / has 2 trailing bytes after the 24 payload bytes of dimensions \[2, 3, 4\]/,
    ],
  ];
  for (const [name, bytes, message, magic] of cases) {
    const path = write(name, bytes);
    assert.throws(
      () => readIdxFile(path, magic),
      (e: Error) => e.message.includes(path) && message.test(e.message),
      name,
    );
    // The same through gzip: the check is on the decompressed content.
    const packed = write(`${name}.gz`, gzipSync(bytes));
    assert.throws(
      () => readIdxFile(packed, magic),
      (e: Error) => e.message.includes(`${path}.gz`) && message.test(e.message),
      `${name}.gz`,
    );
  }
});

test('damaged gzip streams are errors naming the file', () => {
  const packed = gzipSync(idxBytes([2, 3, 4], payload));
  const cut = write('cut.gz', packed.subarray(0, packed.length - 12));
  assert.throws(
    () => readIdxFile(cut),
    new RegExp(`IDX file ${cut} is not valid gzip: unexpected end of file`),
  );
  const flipped = Buffer.from(packed);
  // Corrupt the CRC-32 in the trailer: the data inflates but fails its check.
  flipped[packed.length - 6] = (flipped[packed.length - 6] as number) ^ 0xff;
  const crc = write('crc.gz', flipped);
  assert.throws(() => readIdxFile(crc), new RegExp(`IDX file ${crc} is not valid gzip: .*check`));
  const junk = write('junk.gz', Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5]));
  assert.throws(() => readIdxFile(junk), new RegExp(`IDX file ${junk} is not valid gzip`));
});
