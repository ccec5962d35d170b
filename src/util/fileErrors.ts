import { lstatSync, statSync } from 'node:fs';

const REASONS: Record<string, string> = {
  ENOENT: 'does not exist',
  ELOOP: 'is a symbolic link loop (too many levels of symbolic links)',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'has a path component that is not a directory',
  EACCES: 'is not accessible (permission denied)',
  EPERM: 'is not accessible (operation not permitted)',
  ENOSPC: 'cannot be written: no space left on the device',
  EDQUOT: 'cannot be written: disk quota exceeded',
  EROFS: 'cannot be written: the file system is read-only',
  EEXIST: 'already exists',
  EMFILE: 'cannot be opened: too many open files',
  ENAMETOOLONG: 'has a name that is too long',
};

/**
 * An error that says in words what went wrong with a file, naming it: "cannot write /out/x.json: no space
 * left on the device (ENOSPC)". Keeps `code` and the original error as `cause`.
 *
 * @param action - what was being done, e.g. `'cannot read'`, `'cannot write'`.
 * @param path - the file or directory concerned.
 * @param error - the file-system error.
 */
export function fileError(action: string, path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reason =
    code !== undefined && REASONS[code] !== undefined
      ? `${path} ${REASONS[code]} (${code})`
      : `${path}: ${error instanceof Error ? error.message : String(error)}`;
  const out = new Error(`${action} ${reason}`, { cause: error }) as NodeJS.ErrnoException;
  if (code !== undefined) out.code = code;
  return out;
}

/** What is at a path: a file, a directory, nothing, a symbolic link loop or a dangling link, or other. */
export type PathKind = 'file' | 'directory' | 'missing' | 'symlinkLoop' | 'danglingSymlink' | 'other';

/**
 * Tells what is at `path`, following symbolic links, and distinguishing the ways it can fail to be there:
 * unlike `existsSync`, a symbolic link loop or a link to nothing is not reported as "missing".
 *
 * @param path - the path.
 */
export function pathKind(path: string): PathKind {
  try {
    const stats = statSync(path);
    return stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return 'symlinkLoop';
    if (code === 'ENOENT') {
      try {
        return lstatSync(path).isSymbolicLink() ? 'danglingSymlink' : 'missing';
      } catch {
        return 'missing';
      }
    }
    return 'other';
  }
}

/**
 * Words for a {@link PathKind} that is not what was wanted, e.g. "is a symbolic link loop".
 *
 * @param kind - what is there.
 */
export function describePathKind(kind: PathKind): string {
  switch (kind) {
    case 'missing':
      return 'does not exist';
    case 'symlinkLoop':
      return 'is a symbolic link loop';
    case 'danglingSymlink':
      return 'is a symbolic link to nothing';
    case 'directory':
      return 'is a directory';
    case 'file':
      return 'is a file';
    default:
      return 'is neither a file nor a directory';
  }
}
