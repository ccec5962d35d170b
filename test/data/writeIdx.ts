import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRng } from '../../src/util/random.js';

/** The bytes of an unsigned-byte IDX file, written independently of the parser under test. */
export function idxBytes(dims: number[], data: Uint8Array, magic = 0x800 + dims.length): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  for (const [i, d] of dims.entries()) header.writeUInt32BE(d, 4 + 4 * i);
  return Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** Writes `bytes` to `path`, gzipped when `gzip` (and then named with `.gz`); returns the path written. */
export function writeMaybeGzip(path: string, bytes: Uint8Array, gzip: boolean): string {
  const target = gzip ? `${path}.gz` : path;
  writeFileSync(target, gzip ? gzipSync(bytes) : bytes);
  return target;
}

/** A generated MNIST-like split: raw pixels (n·784) and labels. */
export interface GeneratedSplit {
  pixels: Uint8Array;
  labels: Uint8Array;
}

function generate(n: number, seed: number): GeneratedSplit {
  const rng = createRng(seed);
  const pixels = new Uint8Array(n * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  const labels = Uint8Array.from({ length: n }, () => rng.int(10));
  return { pixels, labels };
}

/**
 * Writes the four files of a small random MNIST-like data set into `dir` (created), gzipped or plain,
 * and returns what was written.
 */
export function writeMnistLikeDir(
  dir: string,
  options: { train: number; test: number; seed: number; gzip: boolean },
): { train: GeneratedSplit; test: GeneratedSplit; files: string[] } {
  mkdirSync(dir, { recursive: true });
  const train = generate(options.train, options.seed);
  const test = generate(options.test, options.seed + 1);
  const files = [
    writeMaybeGzip(
      join(dir, 'train-images-idx3-ubyte'),
      idxBytes([options.train, 28, 28], train.pixels),
      options.gzip,
    ),
    writeMaybeGzip(
      join(dir, 'train-labels-idx1-ubyte'),
      idxBytes([options.train], train.labels),
      options.gzip,
    ),
    writeMaybeGzip(
      join(dir, 't10k-images-idx3-ubyte'),
      idxBytes([options.test, 28, 28], test.pixels),
      options.gzip,
    ),
    writeMaybeGzip(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([options.test], test.labels), options.gzip),
  ];
  return { train, test, files };
}
