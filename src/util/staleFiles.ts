import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A tag for temporary names that says which process made them: `<pid>-<12 hex digits>`. A later process
 * can then tell a leftover of a killed process (its pid gone) from the work in progress of a live one.
 */
export function ownedTempTag(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Whether a process with this id exists (signal 0 probes without signalling; EPERM means it exists). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Options for {@link sweepStaleFiles}. */
export interface SweepStaleFilesOptions {
  /**
   * Names to consider. Capture group 1, when it matched, is an {@link ownedTempTag}: the entry is removed
   * when that process no longer exists (never when it is this process). Entries that match without a tag
   * (names from older versions) are removed once older than `untaggedAgeMs`.
   */
  pattern: RegExp;
  /** Age in milliseconds after which an untagged match counts as stale; default 1 hour. */
  untaggedAgeMs?: number;
}

/**
 * Removes the leftovers of killed processes from a directory: temporary files and directories whose
 * names match `pattern` and whose owner is gone. Best effort: an entry that cannot be removed is left.
 *
 * @param dir - the directory (nothing happens if it does not exist).
 * @param options - which names, and how old an untagged one must be.
 * @returns the paths removed.
 */
export function sweepStaleFiles(dir: string, options: SweepStaleFilesOptions): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  const untaggedAgeMs = options.untaggedAgeMs ?? 3_600_000;
  for (const name of names) {
    const match = options.pattern.exec(name);
    if (match === null) continue;
    const path = join(dir, name);
    const pid = match[1] === undefined ? undefined : Number.parseInt(match[1], 10);
    let stale: boolean;
    if (pid !== undefined && Number.isInteger(pid)) {
      stale = pid !== process.pid && !processAlive(pid);
    } else {
      try {
        stale = Date.now() - lstatSync(path).mtimeMs > untaggedAgeMs;
      } catch {
        continue;
      }
    }
    if (!stale) continue;
    try {
      rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
      removed.push(path);
    } catch {
      // Someone else's file we may not remove, or one that vanished meanwhile: not ours to insist on.
    }
  }
  return removed;
}
