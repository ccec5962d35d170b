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
 * in the worker first; compiled JavaScript starts directly. The parent's `--test…` flags are not passed on
 * (a worker is no test runner); its other `execArgv` (e.g. `--import tsx`, memory limits) are.
 *
 * @param entry - `file:` URL (or absolute path) of the worker's entry module.
 * @param options - workerData, buffers to transfer, other modules it imports, the caller's name.
 * @returns the started worker.
 * @throws Error naming the caller when TypeScript must be loaded and the `tsx` package is not installed.
 */
export function startModuleWorker(entry: string, options: ModuleWorkerOptions): Worker {
  const entryUrl = moduleUrl(entry);
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
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
