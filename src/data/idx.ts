import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * The IDX format (LeCun's MNIST files): a big-endian header `00 00 TT DD` — TT the element type, DD the
 * number of dimensions —, then DD big-endian uint32 dimension sizes, then the elements in row-major order.
 * Only unsigned bytes (TT = 0x08) are supported: that is what MNIST-like image and label files hold.
 */

/** The element-type byte of unsigned-byte IDX files. */
export const IDX_UBYTE_TYPE = 0x08;
/** Magic number of an IDX file of unsigned-byte images `[n, rows, cols]`. */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of an IDX file of unsigned-byte labels `[n]`. */
export const IDX_LABELS_MAGIC = 0x00000801;

/** The content of an unsigned-byte IDX file. */
export interface IdxArray {
  /** The magic number, `0x0000080D` for D dimensions. */
  magic: number;
  /** Dimension sizes, outermost first. */
  dims: number[];
  /** The elements in row-major order; its length is the product of `dims`. */
  data: Uint8Array;
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * Parses the bytes of an uncompressed unsigned-byte IDX file.
 *
 * @param bytes - the whole file.
 * @param file - the file's name, used in error messages.
 * @param expectedMagic - when given, any other magic number is an error (e.g. a label file passed where
 *   images were expected).
 * @returns the magic number, the dimensions and a view of the payload (no copy).
 * @throws Error naming the file when the magic number is wrong, the header or payload is shorter than the
 *   header says, or bytes follow the payload.
 */
export function parseIdx(bytes: Uint8Array, file: string, expectedMagic?: number): IdxArray {
  if (bytes.length < 4)
    throw new Error(`IDX file ${file} has ${bytes.length} bytes, too short for the 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const rank = magic & 0xff;
  if (magic >>> 8 !== IDX_UBYTE_TYPE || rank === 0)
    throw new Error(
      `IDX file ${file} has magic number ${hex(magic)}, expected 0x000008DD (unsigned bytes, DD ≥ 1 dimensions)`,
    );
  if (expectedMagic !== undefined && magic !== expectedMagic)
    throw new Error(
      `IDX file ${file} has magic number ${hex(magic)} (${rank} dimensions), expected ${hex(expectedMagic)} (${expectedMagic & 0xff} dimensions)`,
    );
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes)
    throw new Error(
      `IDX file ${file} is truncated: ${bytes.length} bytes, shorter than its ${headerBytes}-byte header`,
    );
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d));
  // Products above 2^53 are not exact, but any that large exceeds every real file and is reported so.
  const elements = dims.reduce((a, b) => a * b, 1);
  const payload = bytes.length - headerBytes;
  if (payload < elements)
    throw new Error(
      `IDX file ${file} is truncated: dimensions [${dims.join(', ')}] need ${elements} payload bytes, found ${payload}`,
    );
  if (payload > elements)
    throw new Error(
      `IDX file ${file} has ${payload - elements} trailing bytes after the ${elements} payload bytes of dimensions [${dims.join(', ')}]`,
    );
  return { magic, dims, data: bytes.subarray(headerBytes) };
}

/** Whether `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads an unsigned-byte IDX file, gzip-compressed or plain (recognised by the gzip magic number, not by
 * the name), and parses it with {@link parseIdx}.
 *
 * @param path - the file.
 * @param expectedMagic - when given, any other magic number is an error.
 * @returns the parsed file.
 * @throws Error naming the file when it cannot be read, its gzip stream is damaged, or {@link parseIdx}
 *   refuses it.
 */
export function readIdxFile(path: string, expectedMagic?: number): IdxArray {
  let bytes: Uint8Array = readFileSync(path);
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`IDX file ${path} is not valid gzip: ${message}`);
    }
  }
  return parseIdx(bytes, path, expectedMagic);
}
