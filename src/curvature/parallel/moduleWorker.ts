import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type TransferListItem, Worker } from 'node:worker_threads';

/**
 * The URL of the module `name` next to the module at `base` (pass `import.meta.url`), with the extension
 * `base` has: `.ts` when running from source (tsx: development, tests, benchmarks), `.js` once compiled to
 * `dist`. Worker entries are found this way, so the same code starts them in both settings.
 *
 * @param base - the calling module's `import.meta.url`.
 * @param name - the sibling module's file name without extension, e.g. `hessianWorker`.
 */
export function siblingModuleUrl(base: string, name: string): string {
  const extension = new URL(base).pathname.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, base).href;
}

/** An absolute path or URL as a URL (`file:` for paths). */
export function moduleUrl(pathOrUrl: string): string {
  return isAbsolute(pathOrUrl) ? pathToFileURL(pathOrUrl).href : pathOrUrl;
}

/** Flags that take their value as the next argument when not written `--flag=value`. */
const FLAGS_WITH_VALUE = new Set([
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
  '--conditions',
  '-C',
  '--disable-warning',
]);
/** Flags a worker needs to load and run the same modules as its parent; all of them are per-thread. */
const WORKER_FLAGS = new Set([
  ...FLAGS_WITH_VALUE,
  '--enable-source-maps',
  '--no-warnings',
  '--no-deprecation',
  '--experimental-vm-modules',
  '--experimental-strip-types',
  '--experimental-transform-types',
  '--no-experimental-strip-types',
]);

/**
 * The part of a process's `execArgv` to start a worker with: the module-loading flags (`--import`,
 * `--require`, `--loader`, `--conditions`, source maps, warnings), in `--flag=value` or `--flag value` form.
 *
 * @remarks Node refuses process-wide flags in a worker's `execArgv` (`ERR_WORKER_INVALID_EXEC_ARGV`): V8
 * options such as `--stack-trace-limit` or `--max-old-space-size`, `--tls-cipher-list`, `--node-snapshot`,
 * `--secure-heap`…, and Node 24's test runner starts every test process with all of those. A worker's
 * memory is limited by `resourceLimits` instead, and `--test…` flags make no sense in a worker.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const name = arg.split('=', 1)[0]!;
    if (!WORKER_FLAGS.has(name)) continue;
    kept.push(arg);
    const takesNext = FLAGS_WITH_VALUE.has(arg) && i + 1 < execArgv.length;
    if (takesNext) kept.push(execArgv[++i]!);
  }
  return kept;
}

/** Options for {@link startModuleWorker}. */
export interface ModuleWorkerOptions {
  /** The worker's `workerData` (structured-cloned; buffers in `transferList` are moved, not copied). */
  workerData?: unknown;
  /** Buffers inside `workerData` to transfer to the worker instead of copying. */
  transferList?: readonly TransferListItem[];
  /**
   * Other modules the worker will import (e.g. a runner or model factory given by URL): when one of them
   * is TypeScript, the worker registers tsx as well.
   */
  alsoImports?: readonly string[];
  /** Who starts the worker, for error messages (e.g. `parallelHutchinsonTrace`). */
  caller: string;
}

/**
 * Starts a worker thread on an ES module, TypeScript or JavaScript.
 *
 * @remarks
 * Node 20 loads a worker's entry before `--import` hooks apply, so a TypeScript entry (or one that
 * imports TypeScript, see `alsoImports`) is reached through a small JavaScript bootstrap that registers tsx
 * in the worker first; compiled JavaScript starts directly. Of the parent's `execArgv` only the
 * module-loading flags are passed on (`workerExecArgv`): Node 22+ refuses process-wide ones.
 *
 * @param entry - `file:` URL (or absolute path) of the worker's entry module.
 * @param options - workerData, buffers to transfer, other modules it imports, the caller's name.
 * @returns the started worker.
 * @throws Error naming the caller when TypeScript must be loaded and the `tsx` package is not installed.
 */
export function startModuleWorker(entry: string, options: ModuleWorkerOptions): Worker {
  const entryUrl = moduleUrl(entry);
  const execArgv = workerExecArgv(process.execArgv);
  const common = {
    workerData: options.workerData,
    execArgv,
    ...(options.transferList ? { transferList: [...options.transferList] } : {}),
  };
  const typeScript = [entryUrl, ...(options.alsoImports ?? []).map(moduleUrl)].find((url) =>
    url.endsWith('.ts'),
  );
  if (typeScript === undefined) return new Worker(new URL(entryUrl), common);
  let tsxApi: string;
  try {
    tsxApi = import.meta.resolve('tsx/esm/api');
  } catch {
    throw new Error(
      `${options.caller}: loading TypeScript (${typeScript}) in a worker needs the 'tsx' package, which is not installed`,
    );
  }
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entryUrl)}); });`;
  return new Worker(bootstrap, { ...common, eval: true });
}
