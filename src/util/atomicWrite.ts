import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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

/** A temporary name next to `path`, unique to this call (readers and clean-ups skip dot-files ending in .tmp). */
function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes a file so that readers see either the old content or the whole new content, never a part, also
 * after a crash of the machine: the data goes to a temporary file in the same directory, which is fsynced,
 * renamed over the target, and the directory fsynced.
 *
 * @param path - the file to write; its directory is created if missing.
 * @param data - the content.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = temporaryPath(path);
  try {
    writeDurably(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
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
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = temporaryPath(path);
  try {
    writeDurably(tmp, data);
    linkSync(tmp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
  fsyncDirectory(dir);
  return true;
}
