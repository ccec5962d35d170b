import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs-core';
import { simdKernelsWasmBase64 } from './simdKernelsBinary.js';

/**
 * The exports of the module compiled from `wasm/*.c` (see scripts/build-wasm.mjs). Pointers are byte
 * offsets into the wasm backend's heap; every function works in place on buffers the caller allocated.
 */
export interface SimdKernelExports {
  /** Copies x [n][h][w][c] into xp [n][hp][wp][cp] at (top, left) and zeroes the rest of xp. */
  pad_nhwc(
    x: number,
    xp: number,
    n: number,
    h: number,
    w: number,
    c: number,
    hp: number,
    wp: number,
    cp: number,
    top: number,
    left: number,
  ): void;
  /** Copies src [rows][cols] into dst [rows][dstCols], zero-filling the extra columns. */
  pad_columns(src: number, dst: number, rows: number, cols: number, dstCols: number): void;
  /** dst [taps][c][o] = the leading c×o block of each tap of src [taps][cp][op]. */
  crop_filter(src: number, dst: number, taps: number, cp: number, op: number, c: number, o: number): void;
  /** dw [kh][kw][cp][op] from the staged, padded xp [n][hp][wp][cp] and dyp [n][ho][wo][op]. */
  conv2d_filter_grad(
    xp: number,
    dyp: number,
    dw: number,
    n: number,
    hp: number,
    wp: number,
    cp: number,
    ho: number,
    wo: number,
    op: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
  ): void;
  /** dst [outer][cols] = Σ_r src [outer][rows][cols], summed in blocks of 64 rows; `partial` holds cols floats. */
  sum_middle_axes(src: number, dst: number, partial: number, outer: number, rows: number, cols: number): void;
  /** Per-channel mean and biased variance of x [rows][channels] (corrected two-pass); `partial` holds 3·channels floats. */
  channel_moments(
    x: number,
    mean: number,
    variance: number,
    partial: number,
    rows: number,
    channels: number,
  ): void;
  /** out [rows][channels] = x·a[c] + b[c]. */
  channel_affine(x: number, a: number, b: number, out: number, rows: number, channels: number): void;
  /** Σ_r dy and Σ_r dy·(x − mean) per channel, in one pass. */
  channel_grad_sums(
    dy: number,
    x: number,
    mean: number,
    sumDy: number,
    sumDyCentred: number,
    partial: number,
    partial2: number,
    rows: number,
    channels: number,
  ): void;
  /** dx [rows][channels] = k[c]·dy + a[c]·(x − mean[c]) + b[c]. */
  channel_grad_dx(
    dy: number,
    x: number,
    mean: number,
    k: number,
    a: number,
    b: number,
    dx: number,
    rows: number,
    channels: number,
  ): void;
  /** dx [n] = dy · step(x): tfjs's ReLU gradient in one pass. */
  relu_backprop(dy: number, x: number, dx: number, n: number): void;
}

// The project compiles without the DOM library, whose types declare WebAssembly; this is the part used.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;
const instances = new WeakMap<WasmMemory, SimdKernelExports | null>();
let enabled = globalThis.process?.env?.SGD_FACTORS_SIMD_KERNELS !== '0';

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function compile(): object | null {
  if (compiled !== undefined) return compiled;
  if (wasmApi === undefined) return (compiled = null);
  try {
    compiled = new wasmApi.Module(decodeBase64(simdKernelsWasmBase64));
  } catch {
    // No WebAssembly SIMD in this runtime: callers fall back to the XNNPACK compositions.
    compiled = null;
  }
  return compiled;
}

/**
 * This library's WebAssembly SIMD kernels, instantiated on the memory of `backend` (once per memory), or
 * `undefined` where they are switched off or the runtime cannot compile them.
 *
 * @remarks
 * The module imports tfjs's own `WebAssembly.Memory`, so it reads and writes tensors where they are, with
 * no copies; its build is checked to have no data segment and no stack, so it touches nothing else.
 * `SGD_FACTORS_SIMD_KERNELS=0` in the environment (or {@link setSimdKernelsEnabled}) switches them off,
 * for comparisons and as an escape hatch; the XNNPACK compositions then run instead.
 */
export function simdKernelsFor(backend: BackendWasm): SimdKernelExports | undefined {
  if (!enabled) return undefined;
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (wasmApi === undefined || !(memory instanceof wasmApi.Memory)) return undefined;
  const cached = instances.get(memory);
  if (cached !== undefined) return cached ?? undefined;
  const module = compile();
  if (module === null) return undefined;
  let kernels: SimdKernelExports | null;
  try {
    kernels = new wasmApi.Instance(module, { env: { memory } }).exports as unknown as SimdKernelExports;
  } catch {
    // A memory the module cannot import (the threaded wasm build's shared memory, in browsers): the
    // XNNPACK compositions and tfjs's kernels run instead.
    kernels = null;
  }
  instances.set(memory, kernels);
  return kernels ?? undefined;
}

/**
 * Switches this library's WebAssembly SIMD kernels on or off (on by default unless
 * `SGD_FACTORS_SIMD_KERNELS=0`); returns the previous setting. Off, the wasm kernels fall back to
 * compositions of tfjs's XNNPACK kernels, which the tests use as a second reference.
 */
export function setSimdKernelsEnabled(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/**
 * Byte offset of a tensor's data in the wasm heap: the pointer the SIMD kernels take.
 * @param kernel - the calling kernel's name, for the error message.
 * @throws Error if the tensor has no data on this backend.
 */
export function heapOffset(backend: BackendWasm, t: tf.TensorInfo, kernel: string): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error(`${kernel} (wasm): a tensor has no data on the wasm heap`);
  return data.memoryOffset;
}
