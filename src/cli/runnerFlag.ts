import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Runner, RunnerModule } from '../experiments/executor.js';
import { UsageError } from './command.js';

/** The runner module named by `--runner MODULE[#EXPORT]`. */
export function parseRunner(value: string): RunnerModule {
  const [path, exportName] = value.split('#');
  if (!path) throw new UsageError(`--runner must be MODULE[#EXPORT], got '${value}'`);
  return { url: pathToFileURL(resolve(path)).href, exportName: exportName || 'runner' };
}

/**
 * Imports a runner module in this thread.
 *
 * @throws Error naming the module when it has no such export with a `run` function.
 */
export async function importRunner(module: RunnerModule): Promise<Runner> {
  const exportName = module.exportName ?? 'runner';
  const runner = ((await import(module.url)) as Record<string, unknown>)[exportName] as Runner | undefined;
  if (!runner || typeof runner.run !== 'function')
    throw new Error(`${module.url} has no export '${exportName}' with a run(task, context) function`);
  return runner;
}
