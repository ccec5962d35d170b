import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import type { RunEpoch } from './runRecord.js';

/** The path of a run's history file, `runs/<id>/history.json`. */
export function runHistoryPath(runDir: string): string {
  return join(runDir, 'history.json');
}

/**
 * Writes a run's per-epoch history (atomically), as runners do after every epoch.
 *
 * @param runDir - the run's directory.
 * @param epochs - the history so far.
 */
export function writeRunHistory(runDir: string, epochs: readonly RunEpoch[]): void {
  writeFileAtomic(runHistoryPath(runDir), `${JSON.stringify({ epochs }, null, 1)}\n`);
}

/**
 * Reads a run's per-epoch history; an empty list when the run has none yet.
 *
 * @throws Error naming the file when it exists but is not a history.
 */
export function readRunHistory(runDir: string): RunEpoch[] {
  const path = runHistoryPath(runDir);
  if (!existsSync(path)) return [];
  const value = JSON.parse(readFileSync(path, 'utf8')) as { epochs?: unknown };
  if (!Array.isArray(value.epochs)) throw new Error(`${path} has no 'epochs' array`);
  return value.epochs as RunEpoch[];
}
