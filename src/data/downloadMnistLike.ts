import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { createProgress } from '../util/progress.js';
import { downloadFile } from './downloadFile.js';
import {
  type ExpectedFile,
  MNIST_LIKE_FILE_KEYS,
  MNIST_LIKE_FILE_NAMES,
  type MnistLikeFileKey,
  type MnistLikeFormat,
} from './mnistLikeFormat.js';

/** The directory inside the cache directory that holds the verified `.gz` files. */
export const MNIST_LIKE_CACHE_SUBDIR = 'idx';
/**
 * Name of the file written into the cache's `idx` directory once all four files have been downloaded and
 * verified; a directory without it is not trusted.
 */
export const MNIST_LIKE_CACHE_MARKER = '.sgd-factors-verified.json';

/** Options for `downloadFashionMnist` and `downloadMnist`. */
export interface DownloadMnistLikeOptions {
  /** Cache directory; default `$XDG_CACHE_HOME/sgd-factors/<data set>`. */
  cacheDir?: string;
  /** Address the four `.gz` files are fetched from (a trailing `/` is added); default the official one. */
  baseUrl?: string;
  /** Expected size and MD5 per file, replacing the official ones (for mirrors that recompress, and tests). */
  expectedFiles?: Partial<Record<MnistLikeFileKey, ExpectedFile>>;
  /** Print no progress. Default false. */
  silent?: boolean;
  /** Redirects followed at most per file; default 5. */
  maxRedirects?: number;
  /** Give up when a connection is idle this long (ms); default 60,000. */
  idleTimeoutMs?: number;
}

/**
 * The default cache directory of an MNIST-like data set: `$XDG_CACHE_HOME/sgd-factors/<cacheName>`, or
 * `~/.cache/sgd-factors/<cacheName>` when XDG_CACHE_HOME is unset or not absolute.
 */
export function defaultMnistLikeCacheDir(format: MnistLikeFormat): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg?.startsWith('/') ? xdg : join(homedir(), '.cache');
  return join(base, 'sgd-factors', format.cacheName);
}

/** The verified directory of `.gz` files inside `cacheDir`, or undefined when it holds no complete download. */
export function cachedMnistLikeDir(format: MnistLikeFormat, cacheDir?: string): string | undefined {
  const dir = join(cacheDir ?? defaultMnistLikeCacheDir(format), MNIST_LIKE_CACHE_SUBDIR);
  return existsSync(join(dir, MNIST_LIKE_CACHE_MARKER)) ? dir : undefined;
}

function expectedFiles(
  format: MnistLikeFormat,
  fn: string,
  overrides: DownloadMnistLikeOptions['expectedFiles'],
): Record<MnistLikeFileKey, ExpectedFile> {
  const out = { ...format.files, ...overrides };
  for (const key of MNIST_LIKE_FILE_KEYS) {
    const { bytes, md5 } = out[key];
    if (!Number.isInteger(bytes) || bytes <= 0)
      throw new RangeError(`${fn}: expectedFiles.${key}.bytes must be a positive integer, got ${bytes}`);
    if (!/^[0-9a-fA-F]{32}$/.test(md5))
      throw new RangeError(`${fn}: expectedFiles.${key}.md5 must be 32 hex digits, got '${md5}'`);
  }
  return out;
}

/**
 * Makes sure the four `.gz` files of an MNIST-like data set are in the cache, downloading and verifying
 * them if they are not, and returns the directory that holds them.
 *
 * @remarks
 * Each file is fetched (redirects followed) into a temporary name inside a staging directory of the
 * cache and checked against its expected size and MD5 (`downloadFile`). Only when all four are
 * verified is a marker written and the staging directory renamed into place, so an interrupted or corrupt
 * download never leaves a cache that looks usable; on failure the staging directory is removed. The files
 * stay compressed (the loader reads gzip). A second call finds the cache and does not touch the network.
 *
 * @param format - which data set.
 * @param options - cache location, address and expected checksums, progress.
 * @returns the path of the cache's `idx` directory.
 */
export async function downloadMnistLike(
  format: MnistLikeFormat,
  options: DownloadMnistLikeOptions = {},
): Promise<string> {
  const fn = `download${format.apiName}`;
  const cacheDir = options.cacheDir ?? defaultMnistLikeCacheDir(format);
  const cached = cachedMnistLikeDir(format, cacheDir);
  if (cached !== undefined) return cached;
  const expected = expectedFiles(format, fn, options.expectedFiles);
  const rawBase = options.baseUrl ?? format.baseUrl;
  const baseUrl = rawBase.endsWith('/') ? rawBase : `${rawBase}/`;
  const total = MNIST_LIKE_FILE_KEYS.reduce((sum, key) => sum + expected[key].bytes, 0);
  mkdirSync(cacheDir, { recursive: true });
  const tag = randomBytes(6).toString('hex');
  const staging = join(cacheDir, `.download-${tag}`);
  const target = join(cacheDir, MNIST_LIKE_CACHE_SUBDIR);
  const megabytes = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
  const progress = createProgress({
    label: `${format.title} download`,
    total,
    silent: options.silent ?? false,
  });
  try {
    progress.log(`downloading ${format.title} from ${baseUrl} (${megabytes(total)}) into ${cacheDir}`);
    mkdirSync(staging);
    let before = 0;
    for (const key of MNIST_LIKE_FILE_KEYS) {
      const name = `${MNIST_LIKE_FILE_NAMES[key]}.gz`;
      const partial = join(staging, `.part-${name}`);
      await downloadFile(new URL(name, baseUrl).href, partial, {
        expectedBytes: expected[key].bytes,
        expectedMd5: expected[key].md5.toLowerCase(),
        ...(options.maxRedirects !== undefined ? { maxRedirects: options.maxRedirects } : {}),
        ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
        onBytes: (received) => progress.update(before + received, megabytes(before + received)),
      }).catch((error: unknown) => {
        // Ends the bar's line, so the caller's error message starts on a fresh one.
        progress.log(`${format.title} download failed`);
        throw error;
      });
      renameSync(partial, join(staging, name));
      before += expected[key].bytes;
    }
    progress.done('verified');
    writeFileAtomic(
      join(staging, MNIST_LIKE_CACHE_MARKER),
      `${JSON.stringify({ baseUrl, files: expected, at: new Date().toISOString() })}\n`,
    );
    if (existsSync(target)) {
      // An unverified leftover (e.g. copied by hand): set it aside, don't merge.
      const stale = join(cacheDir, `.stale-${tag}`);
      renameSync(target, stale);
      rmSync(stale, { recursive: true, force: true });
    }
    try {
      renameSync(staging, target);
    } catch (error) {
      // Another process may have completed the same download first; its result is as good as ours.
      const winner = cachedMnistLikeDir(format, cacheDir);
      if (winner !== undefined) return winner;
      throw error;
    }
    return target;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
