import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';

/** `runs/<id>/failure.json`: why the last attempt at a run failed (removed when the run finishes). */
export interface RunFailure {
  /** The error message. */
  error: string;
  /** The lease holder that failed. */
  owner: string;
  /** ISO time. */
  at: string;
}

/** The failure file of run directory `runDir`. */
export function failurePath(runDir: string): string {
  return join(runDir, 'failure.json');
}

/** Records that an attempt at a run failed. */
export function writeRunFailure(runDir: string, failure: RunFailure): void {
  writeFileAtomic(failurePath(runDir), `${JSON.stringify(failure, null, 2)}\n`);
}

/** The recorded failure of a run; undefined when none (or unreadable). */
export function readRunFailure(runDir: string): RunFailure | undefined {
  const path = failurePath(runDir);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunFailure;
  } catch {
    return undefined;
  }
}

/** Forgets a run's failure (it finished). */
export function clearRunFailure(runDir: string): void {
  rmSync(failurePath(runDir), { force: true });
}
