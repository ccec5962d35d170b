import * as tf from '@tensorflow/tfjs-core';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { registerSecondOrderGradients } from './gradients/registerSecondOrderGradients.js';
import { type OnednnStatus, registerOnednnKernels } from './kernels/registerOnednnKernels.js';

/** A compute backend this library can run on. `tensorflow` is libtensorflow through tfjs-node(-gpu). */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Options for {@link initBackend}. */
export interface InitBackendOptions {
  /** Force this backend instead of choosing automatically; an error if it cannot be loaded. */
  backend?: BackendName;
  /** Do not print the choice on stderr. Default false. */
  quiet?: boolean;
  /**
   * Threads of the native oneDNN convolutions (wasm backend, addon built with `npm run build:native`).
   * Default: `SGD_FACTORS_THREADS`, else all cores, on the main thread; 1 in worker threads.
   */
  threads?: number;
}

const OPTION_KEYS: OptionKeys<InitBackendOptions> = {
  backend: true,
  quiet: true,
  threads: true,
};

/** What {@link initBackend} chose, and why. */
export interface BackendInfo {
  /** The active tfjs backend. */
  backend: BackendName;
  /** The npm package that provides it. */
  package: string;
  /** One sentence: why this backend and not a faster one (e.g. "tfjs-node-gpu not installed"). */
  reason: string;
  /** Threads the backend computes with, where known (the wasm backend is single-threaded in Node). */
  threads?: number;
  /**
   * On the wasm backend: whether the oneDNN convolutions run (`wasm+onednn`), on how many threads, or why
   * not (e.g. the addon was not built).
   */
  onednn?: OnednnStatus;
}

type Attempt = { ok: true } | { ok: false; why: string };

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

let active: BackendInfo | undefined;
let announced = false;

function describeImportFailure(pkg: string, error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
    return `${shortName(pkg)} not installed`;
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return `${shortName(pkg)} failed to load (${message})`;
}

function shortName(pkg: string): string {
  return pkg.replace('@tensorflow/', '');
}

async function tryNative(pkg: string): Promise<Attempt> {
  try {
    // A computed specifier keeps bundlers and TypeScript from resolving an optional peer at build time.
    const specifier: string = pkg;
    await import(specifier);
  } catch (error) {
    return { ok: false, why: describeImportFailure(pkg, error) };
  }
  return trySetBackend('tensorflow');
}

async function trySetBackend(name: BackendName): Promise<Attempt> {
  try {
    if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
    if (!tf.findBackendFactory(name)) return { ok: false, why: `no ${name} backend registered` };
    const ok = await tf.setBackend(name);
    if (!ok) return { ok: false, why: `the ${name} backend failed to initialize` };
    await tf.ready();
    return { ok: true };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, why: `the ${name} backend failed to initialize (${message})` };
  }
}

function finish(info: BackendInfo, options: InitBackendOptions): BackendInfo {
  registerSecondOrderGradients();
  if (info.backend === 'wasm') info.onednn = registerOnednnKernels(options.threads);
  active = info;
  if (!(options.quiet ?? false) && !announced) {
    process.stderr.write(`sgd-factors: backend ${describeBackend(info)}\n`);
    announced = true;
  }
  return info;
}

/**
 * The backend's name with its native convolutions, e.g. `wasm+onednn`, or `undefined` before the first
 * {@link initBackend}. Recorded in results: oneDNN and the wasm kernels round differently.
 */
export function activeBackendLabel(): string | undefined {
  if (active === undefined) return undefined;
  return active.onednn?.active ? `${active.backend}+onednn` : active.backend;
}

/** One line for the announcement, e.g. `wasm+onednn (oneDNN 2.6.3, avx512_core, 2 threads; …)`. */
export function describeBackend(info: BackendInfo): string {
  const onednn = info.onednn;
  if (onednn === undefined) return `${info.backend} (${info.reason})`;
  if (!onednn.active) return `${info.backend} (${info.reason}; ${onednn.why})`;
  return `${info.backend}+onednn (${onednn.library}, ${onednn.threads} thread${onednn.threads === 1 ? '' : 's'}; ${info.reason})`;
}

/**
 * Chooses and activates the tfjs backend: `tensorflow` (tfjs-node-gpu, then tfjs-node) when installed and
 * loadable, else `wasm` (the embedded default), else `cpu`. Also registers the wasm kernels and the
 * gradients that training and exact Hessian-vector products need, whatever the order of imports.
 *
 * @remarks
 * Native packages are loaded by dynamic import only, so a user without them sees no install or import
 * error. The choice is printed once on stderr unless `quiet` is set. Calling it again re-selects; the
 * second call with the same options is cheap.
 *
 * @param options - force a backend, or silence the announcement.
 * @returns which backend is active and why.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  checkOptionKeys('initBackend', options, OPTION_KEYS);
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw new RangeError(`initBackend: options.threads must be a positive integer, got ${options.threads}`);
  }
  if (options.backend !== undefined) {
    const forced = options.backend;
    if (!['tensorflow', 'wasm', 'cpu'].includes(forced)) {
      throw new RangeError(
        `initBackend: options.backend must be 'tensorflow', 'wasm' or 'cpu', got '${forced}'`,
      );
    }
    if (forced === 'tensorflow') {
      const reasons: string[] = [];
      for (const pkg of NATIVE_PACKAGES) {
        const attempt = await tryNative(pkg);
        if (attempt.ok)
          return finish({ backend: 'tensorflow', package: pkg, reason: 'forced by options' }, options);
        reasons.push(attempt.why);
      }
      throw new Error(
        `initBackend: backend 'tensorflow' was forced but cannot be used: ${reasons.join('; ')}`,
      );
    }
    const attempt = await trySetBackend(forced);
    if (!attempt.ok) throw new Error(`initBackend: backend '${forced}' was forced but ${attempt.why}`);
    return finish(
      {
        backend: forced,
        package: `@tensorflow/tfjs-backend-${forced}`,
        reason: 'forced by options',
        ...threadsOf(forced),
      },
      options,
    );
  }

  const reasons: string[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    const attempt = await tryNative(pkg);
    if (attempt.ok) {
      return finish(
        {
          backend: 'tensorflow',
          package: pkg,
          reason: reasons.length ? reasons.join('; ') : 'native TensorFlow available',
        },
        options,
      );
    }
    reasons.push(attempt.why);
  }
  const wasm = await trySetBackend('wasm');
  if (wasm.ok) {
    return finish(
      {
        backend: 'wasm',
        package: '@tensorflow/tfjs-backend-wasm',
        reason: reasons.join('; '),
        ...threadsOf('wasm'),
      },
      options,
    );
  }
  reasons.push(wasm.why);
  const cpu = await trySetBackend('cpu');
  if (cpu.ok) {
    return finish(
      { backend: 'cpu', package: '@tensorflow/tfjs-backend-cpu', reason: reasons.join('; '), threads: 1 },
      options,
    );
  }
  reasons.push(cpu.why);
  throw new Error(`initBackend: no usable backend: ${reasons.join('; ')}`);
}

function threadsOf(name: BackendName): { threads?: number } {
  if (name === 'cpu') return { threads: 1 };
  if (name === 'wasm') return { threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 0 : 1 };
  return {};
}

/** The backend chosen by the last {@link initBackend} call, or undefined before the first. */
export function activeBackend(): BackendInfo | undefined {
  return active;
}
