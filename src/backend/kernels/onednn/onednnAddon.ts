import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The oneDNN major version the addon is written against; the build and {@link loadOnednnAddon} check it. */
export const ONEDNN_MAJOR = 2;

/**
 * The native addon built from `native/onednn/onednn_conv.cc` by `npm run build:native`. Every function
 * takes the wasm heap's `ArrayBuffer` (fetched again on every call: the memory can grow), the convolution
 * geometry (see `onednnGeometry`) and byte offsets of float32 operands in the heap, and works in place.
 * Each returns false where oneDNN has no implementation for the geometry, and throws on any other failure.
 */
export interface OnednnAddon {
  /** The oneDNN library actually loaded, the major version the addon was compiled against, the CPU ISA used. */
  version(): { major: number; minor: number; patch: number; isa: string; builtMajor: number };
  /** y = act(conv(x, w) + bias); `bias` is -1 when absent, `relu` applies max(0, ·). */
  forward(
    heap: ArrayBuffer,
    geometry: Int32Array,
    x: number,
    w: number,
    bias: number,
    y: number,
    relu: boolean,
    threads: number,
  ): boolean;
  /** dx = the input gradient of the convolution, from dy and w. */
  backwardData(
    heap: ArrayBuffer,
    geometry: Int32Array,
    dy: number,
    w: number,
    dx: number,
    threads: number,
  ): boolean;
  /** dw = the filter gradient of the convolution, from x and dy. */
  backwardWeights(
    heap: ArrayBuffer,
    geometry: Int32Array,
    x: number,
    dy: number,
    dw: number,
    threads: number,
  ): boolean;
}

/** The loaded addon and a one-line description of it, or why it cannot be used. */
export type OnednnLoad = { ok: true; addon: OnednnAddon; description: string } | { ok: false; why: string };

const addonPath = fileURLToPath(
  new URL('../../../../native/onednn/build/Release/sgd_factors_onednn.node', import.meta.url),
);

let loaded: OnednnLoad | undefined;

/**
 * Loads the optional oneDNN addon once per thread, checking that the oneDNN library it links at run time
 * has the major version it was built for.
 *
 * @remarks Never throws: a missing build (the usual case without `npm run build:native`), a library that
 * fails to load (libdnnl removed after the build) or a version mismatch is reported as `why`, and the
 * wasm kernels stay in use. `SGD_FACTORS_ONEDNN=0` skips it.
 */
export function loadOnednnAddon(): OnednnLoad {
  if (loaded !== undefined) return loaded;
  loaded = load();
  return loaded;
}

function load(): OnednnLoad {
  if (globalThis.process?.env?.SGD_FACTORS_ONEDNN === '0') {
    return { ok: false, why: 'oneDNN kernels switched off (SGD_FACTORS_ONEDNN=0)' };
  }
  if (!existsSync(addonPath)) {
    return { ok: false, why: 'oneDNN addon not built (npm run build:native; needs libdnnl-dev)' };
  }
  // OpenMP threads that spin while waiting for work (libgomp's default) make a shared or busy machine
  // several times slower with 2 threads than with 1 (measured: 3×, load 20 on 2 cores); sleeping costs
  // microseconds per convolution. libgomp reads this once, when the addon loads it.
  process.env['OMP_WAIT_POLICY'] ??= 'passive';
  let addon: OnednnAddon;
  try {
    addon = createRequire(import.meta.url)(addonPath) as OnednnAddon;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, why: `oneDNN addon failed to load (${message})` };
  }
  const v = addon.version();
  if (v.major !== ONEDNN_MAJOR || v.builtMajor !== ONEDNN_MAJOR) {
    return {
      ok: false,
      why: `oneDNN addon needs oneDNN ${ONEDNN_MAJOR}.x, was built against ${v.builtMajor}.x and loaded ${v.major}.${v.minor}.${v.patch} (npm run build:native)`,
    };
  }
  return { ok: true, addon, description: `oneDNN ${v.major}.${v.minor}.${v.patch}, ${v.isa}` };
}
