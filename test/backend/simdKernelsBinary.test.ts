import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { simdKernelsFor } from '../../src/backend/kernels/simd/simdKernels.js';
import {
  simdKernelsSourceDigest,
  simdKernelsWasmBase64,
} from '../../src/backend/kernels/simd/simdKernelsBinary.js';

// The project compiles without the DOM library, which declares WebAssembly's types.
interface ModuleDescriptor {
  module?: string;
  name: string;
  kind: string;
}
const WebAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      Module: {
        new (bytes: Uint8Array): object;
        imports(m: object): ModuleDescriptor[];
        exports(m: object): ModuleDescriptor[];
      };
    };
  }
).WebAssembly;

const sourceDir = new URL('../../wasm/', import.meta.url).pathname;

/** Section ids of a wasm binary, in order (the format's LEB128-sized sections after the 8-byte header). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++]!;
    let size = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++]!;
      size |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    ids.push(id);
    at += size;
  }
  assert.equal(at, bytes.length, 'sections do not tile the binary');
  return ids;
}

test('the embedded SIMD binary was built from the current wasm/*.c and *.h (run node scripts/build-wasm.mjs)', () => {
  const files = readdirSync(sourceDir)
    .filter((f) => f.endsWith('.c') || f.endsWith('.h'))
    .sort();
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f}\n`).update(readFileSync(join(sourceDir, f)));
  assert.equal(simdKernelsSourceDigest, hash.digest('hex'));
});

test('the SIMD module imports only the memory and owns no data that could overwrite the tfjs heap', () => {
  const bytes = Uint8Array.from(Buffer.from(simdKernelsWasmBase64, 'base64'));
  const module = new WebAssembly.Module(bytes);
  assert.deepEqual(
    WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}:${i.kind}`),
    ['env.memory:memory'],
  );
  const ids = sectionIds(bytes);
  // 11 = data, 12 = data count: an initialized segment would be copied into tfjs memory at instantiation.
  assert.ok(!ids.includes(11) && !ids.includes(12), `sections ${ids}`);
  assert.deepEqual(
    WebAssembly.Module.exports(module)
      .map((e) => e.name)
      .sort(),
    [
      'channel_affine',
      'channel_grad_dx',
      'channel_grad_sums',
      'channel_moments',
      'conv2d_filter_grad',
      'crop_filter',
      'pad_columns',
      'pad_nhwc',
      'relu_backprop',
      'sum_middle_axes',
    ],
  );
});

test('a heap the module cannot import (a shared memory, as in the threaded build) turns the kernels off', () => {
  const Memory = (globalThis as unknown as { WebAssembly: { Memory: new (d: object) => object } }).WebAssembly
    .Memory;
  const shared = new Memory({ initial: 1, maximum: 4, shared: true });
  const fakeBackend = { wasm: { asm: { memory: shared } } } as never;
  assert.equal(simdKernelsFor(fakeBackend), undefined);
  const plain = new Memory({ initial: 1 });
  assert.notEqual(simdKernelsFor({ wasm: { asm: { memory: plain } } } as never), undefined);
});
