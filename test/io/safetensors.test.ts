import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeSafetensors,
  encodeSafetensors,
  SafetensorsError,
  type SafetensorsTensor,
} from '../../src/io/safetensors.js';

/** Builds a file by hand, byte for byte as the format describes, independently of the encoder. */
function handMade(header: unknown, data: Uint8Array, declaredLength?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function f32le(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (const [i, v] of values.entries()) view.setFloat32(i * 4, v, true);
  return bytes;
}

test('decodes a hand-made file: little-endian length, JSON header, raw little-endian data', () => {
  const data = new Uint8Array([...f32le([1.5, -2, 0.25]), 7, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  const file = handMade(
    {
      __metadata__: { note: 'hi' },
      w: { dtype: 'F32', shape: [3], data_offsets: [0, 12] },
      i: { dtype: 'I32', shape: [2, 1], data_offsets: [12, 20] },
    },
    data,
  );
  const { tensors, metadata } = decodeSafetensors(file);
  assert.deepEqual(metadata, { note: 'hi' });
  assert.deepEqual([...tensors.keys()], ['w', 'i']);
  assert.deepEqual(tensors.get('w'), { dtype: 'F32', shape: [3], data: new Float32Array([1.5, -2, 0.25]) });
  assert.deepEqual(tensors.get('i'), { dtype: 'I32', shape: [2, 1], data: new Int32Array([7, -1]) });
});

test('encoding round-trips every dtype, a scalar and an empty tensor, with metadata', () => {
  const tensors = new Map<string, SafetensorsTensor>([
    ['a/kernel', { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, 2, 3, -4, 5.5, Math.PI]) }],
    ['b', { dtype: 'F64', shape: [], data: new Float64Array([Math.E]) }],
    ['c', { dtype: 'I32', shape: [2], data: new Int32Array([-2147483648, 2147483647]) }],
    ['d', { dtype: 'U8', shape: [3], data: new Uint8Array([0, 128, 255]) }],
    ['e', { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) }],
    ['empty', { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) }],
  ]);
  const bytes = encodeSafetensors(tensors, { epoch: '3' });
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(headerLength % 8, 0, 'header padded to a multiple of 8 bytes');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  assert.deepEqual(header['a/kernel'], { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
  assert.deepEqual(header.__metadata__, { epoch: '3' });
  const decoded = decodeSafetensors(bytes);
  assert.deepEqual(decoded.tensors, tensors);
  assert.deepEqual(decoded.metadata, { epoch: '3' });
});

test('decodes from a Node Buffer that is a view at an odd offset, into independent copies', () => {
  const bytes = encodeSafetensors({ x: { dtype: 'F64', shape: [2], data: new Float64Array([1, -1]) } });
  const pool = Buffer.alloc(bytes.length + 3);
  pool.set(bytes, 3);
  const decoded = decodeSafetensors(pool.subarray(3)).tensors.get('x');
  pool.fill(0);
  assert.deepEqual(decoded?.data, new Float64Array([1, -1]));
});

test('malformed files give clear errors', () => {
  const good = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const data = f32le([1, 2]);
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', new Uint8Array(5), /f: bad header length: the file has 5 bytes/],
    ['length past the end', handMade(good, data, 4000), /f: bad header length 4000: only \d+ bytes follow/],
    ['bad JSON', handMade('{"w": {', data), /f: bad JSON header/],
    ['JSON array', handMade('[1,2]', new Uint8Array(0)), /f: bad JSON header: it is not a JSON object/],
    ['no dtype', handMade({ w: { shape: [2], data_offsets: [0, 8] } }, data), /tensor 'w' has no dtype/],
    [
      'unsupported dtype',
      handMade({ w: { dtype: 'F16', shape: [4], data_offsets: [0, 8] } }, data),
      /tensor 'w' has unsupported dtype 'F16' \(supported: F64, F32, I32, U8, BOOL\)/,
    ],
    [
      'unknown dtype',
      handMade({ w: { dtype: 'Q7', shape: [2], data_offsets: [0, 8] } }, data),
      /unknown dtype 'Q7'/,
    ],
    [
      'bad shape',
      handMade({ w: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, data),
      /bad shape \[-2\]/,
    ],
    [
      'offsets do not match the shape',
      handMade({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data),
      /tensor 'w': data_offsets \[0, 8\] cover 8 bytes but shape \[3\] of F32 needs 12/,
    ],
    [
      'truncated data',
      handMade({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, data),
      /f: truncated data: tensor 'w' ends at byte 16 of the data section, which has only 8 bytes/,
    ],
    [
      'gap',
      handMade({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data),
      /not contiguous: a gap of 4 bytes before tensor 'w'/,
    ],
    [
      'overlap',
      handMade(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        data,
      ),
      /tensor 'b' overlaps/,
    ],
    [
      'trailing bytes',
      handMade(good, new Uint8Array([...data, 1, 2, 3, 4])),
      /4 bytes of data after the last tensor/,
    ],
    [
      'metadata not strings',
      handMade({ __metadata__: { a: 1 }, ...good }, data),
      /__metadata__\.a is not a string/,
    ],
  ];
  for (const [what, bytes, pattern] of cases) {
    assert.throws(
      () => decodeSafetensors(bytes, 'f'),
      (e: unknown) => e instanceof SafetensorsError && pattern.test(e.message),
      what,
    );
  }
});

test('the encoder refuses inconsistent tensors', () => {
  assert.throws(
    () => encodeSafetensors({ w: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }),
    /'w' has 2 values but shape \[3\] needs 3/,
  );
  assert.throws(
    () => encodeSafetensors({ w: { dtype: 'F64', shape: [2], data: new Float32Array(2) } }),
    /'w' of dtype F64 needs a Float64Array/,
  );
  assert.throws(
    () => encodeSafetensors({ __metadata__: { dtype: 'F32', shape: [0], data: new Float32Array(0) } }),
    /'__metadata__' is not a tensor name/,
  );
});
