import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { x as extractTar } from 'tar';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { createProgress } from '../util/progress.js';
import { ownedTempTag, sweepStaleFiles } from '../util/staleFiles.js';
import { CIFAR10_ARCHIVE_DIR, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES } from './cifar10Format.js';
import { downloadFile } from './downloadFile.js';

/** The official address of the CIFAR-10 binary archive. */
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
/** Size of the official archive in bytes. */
export const CIFAR10_ARCHIVE_BYTES = 170_052_171;
/** MD5 of the official archive, as published on the CIFAR page. */
export const CIFAR10_ARCHIVE_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
/**
 * Name of the file written into the extracted directory once the archive has been verified and fully
 * extracted; a cache directory without it is not trusted.
 */
export const CIFAR10_CACHE_MARKER = '.sgd-factors-verified.json';

/** Options for {@link downloadCifar10}. */
export interface DownloadCifar10Options {
  /** Cache directory; default {@link defaultCifar10CacheDir}. */
  cacheDir?: string;
  /** Archive address; default the official one. */
  url?: string;
  /** MD5 of the archive (hex); default the official one. */
  expectedMd5?: string;
  /** Size of the archive in bytes; default the official one. */
  expectedBytes?: number;
  /** Print no progress. Default false. */
  silent?: boolean;
  /** Redirects followed at most; default 5. */
  maxRedirects?: number;
  /** Give up when the connection is idle this long (ms); default 60,000. */
  idleTimeoutMs?: number;
}

/** Every key of {@link DownloadCifar10Options}, for {@link checkOptionKeys}. */
export const DOWNLOAD_CIFAR10_OPTION_KEYS: OptionKeys<DownloadCifar10Options> = {
  cacheDir: true,
  url: true,
  expectedBytes: true,
  expectedMd5: true,
  silent: true,
  maxRedirects: true,
  idleTimeoutMs: true,
};

/**
 * The default cache directory of CIFAR-10: `$XDG_CACHE_HOME/sgd-factors/cifar-10`, or
 * `~/.cache/sgd-factors/cifar-10` when XDG_CACHE_HOME is unset or not absolute.
 */
export function defaultCifar10CacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg?.startsWith('/') ? xdg : join(homedir(), '.cache');
  return join(base, 'sgd-factors', 'cifar-10');
}

/**
 * The verified, extracted CIFAR-10 directory inside `cacheDir` (`cifar-10-batches-bin`), or undefined when
 * the cache holds no complete download.
 */
export function cachedCifar10Dir(cacheDir: string = defaultCifar10CacheDir()): string | undefined {
  const dir = join(cacheDir, CIFAR10_ARCHIVE_DIR);
  return existsSync(join(dir, CIFAR10_CACHE_MARKER)) ? dir : undefined;
}

/**
 * What an interrupted download leaves in the cache directory: the archive, the extraction directory and a
 * set-aside stale copy, tagged with the process that made them ({@link ownedTempTag}; untagged from older
 * versions).
 */
const LEFTOVER = /^\.(?:download|extract|stale)-(?:(\d+)-[0-9a-f]{12}|[0-9a-f]{12})(?:\.tar\.gz)?$/;

/**
 * Makes sure the CIFAR-10 binary files are in the cache, downloading and extracting the archive if they
 * are not, and returns the directory that holds them.
 *
 * @remarks
 * The archive is fetched over HTTPS (redirects followed) into a temporary file in the cache directory,
 * with progress on stderr, and checked against the expected size and MD5. It is then extracted with the
 * `tar` package into a temporary directory, in strict mode with its default protections (entries with
 * `..` or absolute paths, and writes through symbolic links, are refused: the extraction fails rather than
 * skipping them). Only when the six batch files are present is a marker file written and the directory
 * renamed into place, so an interrupted or corrupt download never leaves a cache that looks usable. The
 * archive itself is deleted afterwards, also on failure (with retries, never hiding the real error). A
 * second call finds the cache and does not touch the network. Each call first removes what killed
 * earlier calls left in the cache directory (`.download-*`, `.extract-*`, `.stale-*` of processes that
 * no longer exist).
 *
 * @param options - cache location, address and expected checksum, progress.
 * @returns the path of `cifar-10-batches-bin` in the cache.
 */
export async function downloadCifar10(options: DownloadCifar10Options = {}): Promise<string> {
  checkOptionKeys('downloadCifar10', options, DOWNLOAD_CIFAR10_OPTION_KEYS);
  const cacheDir = options.cacheDir ?? defaultCifar10CacheDir();
  const cached = cachedCifar10Dir(cacheDir);
  if (cached !== undefined) return cached;
  const url = options.url ?? CIFAR10_URL;
  const expectedBytes = options.expectedBytes ?? CIFAR10_ARCHIVE_BYTES;
  const expectedMd5 = options.expectedMd5 ?? CIFAR10_ARCHIVE_MD5;
  if (!Number.isInteger(expectedBytes) || expectedBytes <= 0)
    throw new RangeError(`downloadCifar10: expectedBytes must be a positive integer, got ${expectedBytes}`);
  if (!/^[0-9a-fA-F]{32}$/.test(expectedMd5))
    throw new RangeError(`downloadCifar10: expectedMd5 must be 32 hex digits, got '${expectedMd5}'`);
  mkdirSync(cacheDir, { recursive: true });
  sweepStaleFiles(cacheDir, { pattern: LEFTOVER });
  const tag = ownedTempTag();
  const archive = join(cacheDir, `.download-${tag}.tar.gz`);
  const staging = join(cacheDir, `.extract-${tag}`);
  const target = join(cacheDir, CIFAR10_ARCHIVE_DIR);
  const megabytes = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
  const progress = createProgress({
    label: 'CIFAR-10 download',
    total: expectedBytes,
    silent: options.silent ?? false,
  });
  let lastShown = 0;
  try {
    progress.log(`downloading ${url} (${megabytes(expectedBytes)}) into ${cacheDir}`);
    const download = downloadFile(url, archive, {
      expectedBytes,
      expectedMd5,
      ...(options.maxRedirects !== undefined ? { maxRedirects: options.maxRedirects } : {}),
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
      onBytes(received) {
        // Redrawing per 64 KiB chunk would flood a terminal; every ~1% is enough.
        if (received - lastShown >= expectedBytes / 100 || received === expectedBytes) {
          lastShown = received;
          progress.update(received, megabytes(received));
        }
      },
    });
    await download.catch((error: unknown) => {
      // Ends the bar's line, so the caller's error message starts on a fresh one.
      progress.log('CIFAR-10 download failed');
      throw error;
    });
    progress.done('verified');
    mkdirSync(staging);
    try {
      await extractTar({ file: archive, cwd: staging, strict: true });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`downloadCifar10: cannot extract ${url}: ${message}`, { cause: error });
    }
    const extracted = join(staging, CIFAR10_ARCHIVE_DIR);
    for (const name of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE]) {
      const path = join(extracted, name);
      if (!existsSync(path) || !statSync(path).isFile())
        throw new Error(`downloadCifar10: the archive from ${url} has no ${CIFAR10_ARCHIVE_DIR}/${name}`);
    }
    writeFileAtomic(
      join(extracted, CIFAR10_CACHE_MARKER),
      `${JSON.stringify({ url, bytes: expectedBytes, md5: expectedMd5, at: new Date().toISOString() })}\n`,
    );
    if (existsSync(target)) {
      // An unverified leftover (e.g. copied by hand, or from an older layout): set it aside, don't merge.
      const stale = join(cacheDir, `.stale-${tag}`);
      renameSync(target, stale);
      rmSync(stale, { recursive: true, force: true });
    }
    try {
      renameSync(extracted, target);
    } catch (error) {
      // Another process may have completed the same download first; its result is as good as ours.
      const winner = cachedCifar10Dir(cacheDir);
      if (winner !== undefined) return winner;
      throw error;
    }
    return target;
  } finally {
    // Never throws: a clean-up failure must not replace the error that made us clean up (the next call
    // sweeps what is left).
    await removeQuietly(archive);
    await removeQuietly(staging);
  }
}

/**
 * Removes a file or directory tree, retrying while the file system reports it busy or not yet empty (tar
 * may still be closing files of a refused extraction), and swallowing a final failure.
 */
async function removeQuietly(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  } catch {
    // Left for the next call's sweep.
  }
}
