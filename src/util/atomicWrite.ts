import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
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

/** Writes `data` to a new file `path` and fsyncs it, so that its content is on disk before it is renamed. */
function writeDurably(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'wx');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Fsyncs a directory so that a rename or link in it survives a crash of the machine. File systems that
 * cannot fsync a directory (some network file systems answer EINVAL or EISDIR) are accepted as they are.
 */
function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Creates the directory of `path` and returns a temporary name next to it, owned by this process
 * (`.<name>.<pid>-<hex>.tmp`, shortened to stay within the file system's 255-byte limit); the first call
 * for a directory sweeps what killed processes left there.
 */
function prepareTemporary(path: string): { dir: string; tmp: string } {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw fileError('cannot create the directory', dir, error);
  }
  if (!swept.has(resolve(dir))) sweepStaleTempFiles(dir);
  return { dir, tmp: join(dir, `.${basename(path).slice(0, 100)}.${ownedTempTag()}.tmp`) };
}

/**
 * Writes a file so that readers see either the old content or the whole new content, never a part, also
 * after a crash of the machine: the data goes to a temporary file in the same directory, which is fsynced,
 * renamed over the target, and the directory fsynced.
 *
 * @remarks
 * The temporary file is named after the target and this process, so that the first write into a
 * directory in a later process removes what a killed one left there ({@link sweepStaleTempFiles}). Errors
 * name the file and say what went wrong in words (e.g. "no space left on the device (ENOSPC)"), keeping
 * `code` and the original error as `cause`; the temporary file is removed on every error path.
 *
 * @param path - the file to write; its directory is created if missing.
 * @param data - the content.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const { dir, tmp } = prepareTemporary(path);
  try {
    writeDurably(tmp, data);
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
  fsyncDirectory(dir);
}

/**
 * Creates a file with its whole content exactly once, however many processes (on however many machines
 * sharing the file system) try at the same moment: the data goes to a fsynced temporary file that is then
 * hard-linked to `path`. `link()` fails when `path` exists, atomically also over NFS, so exactly one caller
 * wins and every reader sees a complete file.
 *
 * @param path - the file to create; its directory is created if missing.
 * @param data - the content.
 * @returns true when this call created the file, false when it existed already (left untouched).
 */
export function createFileExclusive(path: string, data: string | Uint8Array): boolean {
  const { dir, tmp } = prepareTemporary(path);
  try {
    writeDurably(tmp, data);
    linkSync(tmp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fileError('cannot create', path, error);
  } finally {
    rmSync(tmp, { force: true });
  }
  fsyncDirectory(dir);
  return true;
}
