import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileError } from './fileErrors.js';
import { ownedTempTag, sweepStaleFiles } from './staleFiles.js';

/**
 * The temporary names {@link writeFileAtomic} writes before renaming: `.<name>.<pid>-<hex>.tmp`, and
 * `.<12 hex>.tmp` from versions before the pid was part of the name.
 */
const TEMP_NAME = /^\.(?:.+\.(\d+)-[0-9a-f]{12}|[0-9a-f]{12})\.tmp$/;

const swept = new Set<string>();

/**
 * Removes the temporary files that {@link writeFileAtomic} left in `dir` when a process was killed
 * between writing and renaming (those of processes that no longer exist; legacy unnamed ones after an
 * hour). `writeFileAtomic` calls it once per directory per process; call it yourself to clean a
 * directory you will not write to.
 *
 * @param dir - the directory.
 * @returns the paths removed.
 */
export function sweepStaleTempFiles(dir: string): string[] {
  swept.add(resolve(dir));
  return sweepStaleFiles(dir, { pattern: TEMP_NAME });
}

/**
 * Writes a file so that readers see either the old content or the whole new content, never a part:
 * the data goes to a temporary file in the same directory, which is then renamed over the target.
 *
 * @remarks
 * The temporary file is named after the target and this process (`.<name>.<pid>-<hex>.tmp`), so that the
 * first write into a directory in a later process removes what a killed one left there
 * ({@link sweepStaleTempFiles}). Errors name the file and say what went wrong in words (e.g. "no space
 * left on the device (ENOSPC)"), keeping `code` and the original error as `cause`; the temporary file is
 * removed on every error path.
 *
 * @param path - the file to write; its directory is created if missing.
 * @param data - the content.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw fileError('cannot create the directory', dir, error);
  }
  if (!swept.has(resolve(dir))) sweepStaleTempFiles(dir);
  // The name is shortened so that the temporary name stays within the file system's 255-byte limit.
  const tmp = join(dir, `.${basename(path).slice(0, 100)}.${ownedTempTag()}.tmp`);
  try {
    writeFileSync(tmp, data);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw fileError('cannot write', path, error);
  }
  try {
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw fileError('cannot replace', path, error);
  }
}
