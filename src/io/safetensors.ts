import { endianness } from 'node:os';

/** Element types this reader and writer handle (safetensors spells them in capitals). */
export type SafetensorsDtype = 'F64' | 'F32' | 'I32' | 'U8' | 'BOOL';

/** One tensor of a safetensors file: its element type, shape and row-major values. */
export interface SafetensorsTensor {
  /** Element type. */
  dtype: SafetensorsDtype;
  /** Dimensions; [] for a scalar. */
  shape: number[];
  /** The values, as many as the shape's product (BOOL as 0/1 bytes). */
  data: Float64Array | Float32Array | Int32Array | Uint8Array;
}

/** The content of a safetensors file. */
export interface SafetensorsContent {
  /** Tensors by name, in the order of their data in the file. */
  tensors: Map<string, SafetensorsTensor>;
  /** The optional free-form `__metadata__` string map ({} when absent). */
  metadata: Record<string, string>;
}

/** A malformed safetensors file or buffer; the message says what is wrong and where. */
export class SafetensorsError extends Error {
  /** Always `'SafetensorsError'`, so the class survives minification and structured cloning. */
  override name = 'SafetensorsError';
}

const BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, I32: 4, U8: 1, BOOL: 1 };
/** Other dtypes of the safetensors spec, named in errors as unsupported rather than unknown. */
const KNOWN_UNSUPPORTED = ['F16', 'BF16', 'F8_E4M3', 'F8_E5M2', 'I64', 'U64', 'U32', 'I16', 'U16', 'I8'];
/** The reference implementation refuses headers above 100 MB; so do we (it bounds the JSON we parse). */
const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN = endianness() === 'LE';

function isSupported(dtype: string): dtype is SafetensorsDtype {
  return Object.hasOwn(BYTES, dtype);
}

function product(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

function expectedArray(dtype: SafetensorsDtype): string {
  return {
    F64: 'Float64Array',
    F32: 'Float32Array',
    I32: 'Int32Array',
    U8: 'Uint8Array',
    BOOL: 'Uint8Array',
  }[dtype];
}

/** Reverses the byte order of each element in place (only on big-endian hosts). */
function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a] as number;
      bytes[a] = bytes[b] as number;
      bytes[b] = t;
    }
  }
}

/**
 * Serializes tensors in the safetensors format: an 8-byte little-endian header length, a JSON header
 * (`{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`) padded with spaces to a multiple
 * of 8 bytes, then the raw little-endian data of each tensor, contiguous, in the map's order.
 *
 * @param tensors - tensors by name (a Map or a plain object); names must not be `__metadata__`.
 * @param metadata - optional string-to-string metadata.
 * @returns the file's bytes.
 * @throws SafetensorsError for a data length that does not match the shape, or a bad name or dtype.
 */
export function encodeSafetensors(
  tensors: Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string')
        throw new SafetensorsError(`encodeSafetensors: metadata '${k}' must be a string, got ${typeof v}`);
    header['__metadata__'] = metadata;
  }
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__')
      throw new SafetensorsError(`encodeSafetensors: '__metadata__' is not a tensor name`);
    if (!isSupported(t.dtype))
      throw new SafetensorsError(
        `encodeSafetensors: tensor '${name}' has unsupported dtype '${String(t.dtype)}'`,
      );
    for (const d of t.shape)
      if (!Number.isInteger(d) || d < 0)
        throw new SafetensorsError(
          `encodeSafetensors: tensor '${name}' has a bad shape [${t.shape.join(', ')}]`,
        );
    if (t.data.length !== product(t.shape))
      throw new SafetensorsError(
        `encodeSafetensors: tensor '${name}' has ${t.data.length} values but shape [${t.shape.join(', ')}] needs ${product(t.shape)}`,
      );
    if (t.data.BYTES_PER_ELEMENT !== BYTES[t.dtype])
      throw new SafetensorsError(
        `encodeSafetensors: tensor '${name}' of dtype ${t.dtype} needs a ${expectedArray(t.dtype)}`,
      );
    const size = t.data.length * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const [, t] of entries) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(bytes, at);
    if (!LITTLE_ENDIAN) swapBytes(out.subarray(at, at + bytes.length), t.data.BYTES_PER_ELEMENT);
    at += bytes.length;
  }
  return out;
}

/**
 * Parses a safetensors buffer, checking it against the format: header length within the buffer, a JSON
 * object header, every entry with a supported dtype, a shape of non-negative integers and data offsets
 * matching the shape, tensors contiguous and within the data.
 *
 * @param bytes - the file's bytes.
 * @param source - what to call the buffer in error messages (e.g. its path). Default `'buffer'`.
 * @returns the tensors (copied into fresh, aligned typed arrays) and the metadata.
 * @throws SafetensorsError naming the source and the problem: bad header length, bad JSON, bad entry,
 *   unsupported dtype, truncated data.
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'buffer'): SafetensorsContent {
  const fail = (message: string): never => {
    throw new SafetensorsError(`${source}: ${message}`);
  };
  if (bytes.length < 8)
    fail(`bad header length: the file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8))
    fail(
      `bad header length ${declared}: only ${bytes.length - 8} bytes follow the 8-byte length (truncated or not a safetensors file)`,
    );
  if (declared > BigInt(MAX_HEADER_BYTES)) fail(`bad header length ${declared}: above the 100 MB limit`);
  const headerLength = Number(declared);
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)),
    );
  } catch (error) {
    fail(`bad JSON header (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('bad JSON header: it is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number; dtype: SafetensorsDtype; shape: number[] }[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
        fail('bad JSON header: __metadata__ is not an object');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`bad JSON header: __metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (typeof entry !== 'object' || entry === null)
      fail(`bad JSON header: entry '${name}' is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string') fail(`bad JSON header: tensor '${name}' has no dtype`);
    if (!isSupported(dtype as string)) {
      const known = KNOWN_UNSUPPORTED.includes(dtype as string);
      fail(
        `tensor '${name}' has ${known ? 'unsupported' : 'unknown'} dtype '${String(dtype)}' (supported: ${Object.keys(BYTES).join(', ')})`,
      );
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
      fail(`bad JSON header: tensor '${name}' has a bad shape ${JSON.stringify(shape)}`);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    )
      fail(`bad JSON header: tensor '${name}' has bad data_offsets ${JSON.stringify(offsets)}`);
    const [begin, end] = offsets as [number, number];
    const d = dtype as SafetensorsDtype;
    const needed = product(shape as number[]) * BYTES[d];
    if (end - begin !== needed)
      fail(
        `tensor '${name}': data_offsets [${begin}, ${end}] cover ${end - begin} bytes but shape [${(shape as number[]).join(', ')}] of ${d} needs ${needed}`,
      );
    if (end > dataLength)
      fail(
        `truncated data: tensor '${name}' ends at byte ${end} of the data section, which has only ${dataLength} bytes`,
      );
    spans.push({ name, begin, end, dtype: d, shape: shape as number[] });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const s of spans) {
    if (s.begin !== covered)
      fail(
        s.begin < covered
          ? `tensor '${s.name}' overlaps the previous tensor's data (starts at ${s.begin}, before ${covered})`
          : `tensor data is not contiguous: a gap of ${s.begin - covered} bytes before tensor '${s.name}'`,
      );
    covered = s.end;
  }
  if (covered !== dataLength)
    fail(
      `${dataLength - covered} bytes of data after the last tensor (the header does not describe the whole file)`,
    );
  const tensors = new Map<string, SafetensorsTensor>();
  for (const s of spans) {
    // A fresh copy: aligned for the typed array, and independent of the input (Buffer.slice would share it).
    const raw = new Uint8Array(s.end - s.begin);
    raw.set(bytes.subarray(dataStart + s.begin, dataStart + s.end));
    if (!LITTLE_ENDIAN) swapBytes(raw, BYTES[s.dtype]);
    const buffer = raw.buffer;
    const data =
      s.dtype === 'F64'
        ? new Float64Array(buffer)
        : s.dtype === 'F32'
          ? new Float32Array(buffer)
          : s.dtype === 'I32'
            ? new Int32Array(buffer)
            : new Uint8Array(buffer);
    tensors.set(s.name, { dtype: s.dtype, shape: [...s.shape], data });
  }
  return { tensors, metadata };
}
