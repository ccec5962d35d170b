import {
  cachedMnistLikeDir,
  type DownloadMnistLikeOptions,
  defaultMnistLikeCacheDir,
  downloadMnistLike,
} from './downloadMnistLike.js';
import { FASHION_MNIST_FORMAT } from './fashionMnistFormat.js';
import { type LoadMnistLikeOptions, loadMnistLike, type MnistLikeData } from './loadMnistLike.js';

/**
 * Loads Fashion-MNIST into `[n, 28, 28, 1]` float32 image tensors and int32 label tensors.
 *
 * @remarks
 * Files: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
 * `t10k-labels-idx1-ubyte` in `dir` (e.g. /usr/share/datasets/fashion-mnist (Debian's `dataset-fashion-mnist`)), each gzipped (`.gz`, recognised by its magic
 * number) or plain; the plain one is read when both are there. Every file is checked: the IDX magic number
 * (0x00000803 images, 0x00000801 labels), its length against the header's dimensions (truncated or
 * trailing bytes), the gzip stream, 28×28 images, as many labels as images, every label 0–9. Each problem
 * is an error naming the file.
 *
 * Preprocessing as for CIFAR-10: pixels are divided by 255; with `'pixelMean'` (the default) the
 * per-pixel mean of the full training file is then subtracted from training, validation and test images
 * alike, whatever `limit` or `validationSplit`; it is returned as `pixelMean` (784 values) and can be
 * passed back. `limit` and `testLimit` keep the first images in file order; `validationSplit` holds out
 * the last ones of the limited training set.
 *
 * Without `dir`, the files come from the download cache; with `download: true` they are fetched into
 * it first if needed (see {@link downloadFashionMnist}). Nothing synthetic is ever substituted.
 *
 * @param options - where the files are, preprocessing, subset and validation split.
 * @returns the data set (new tensors: the caller disposes them), the mean subtracted, the source directory.
 */
export function loadFashionMnist(options: LoadMnistLikeOptions = {}): Promise<MnistLikeData> {
  return loadMnistLike(FASHION_MNIST_FORMAT, options);
}

/**
 * Makes sure the four official Fashion-MNIST `.gz` files (30.9 MB) are in the cache, downloading them if
 * they are not, each verified against its official size and MD5; returns the directory holding them.
 * An interrupted or corrupt download leaves nothing behind (see {@link downloadMnistLike}).
 *
 * @param options - cache location, address and expected checksums, progress.
 * @returns the path of the cache's `idx` directory.
 */
export function downloadFashionMnist(options: DownloadMnistLikeOptions = {}): Promise<string> {
  return downloadMnistLike(FASHION_MNIST_FORMAT, options);
}

/**
 * The default cache directory of Fashion-MNIST: `$XDG_CACHE_HOME/sgd-factors/fashion-mnist`, or
 * `~/.cache/sgd-factors/fashion-mnist` when XDG_CACHE_HOME is unset or not absolute.
 */
export function defaultFashionMnistCacheDir(): string {
  return defaultMnistLikeCacheDir(FASHION_MNIST_FORMAT);
}

/**
 * The verified directory of Fashion-MNIST files inside `cacheDir` (default {@link defaultFashionMnistCacheDir}),
 * or undefined when the cache holds no complete download.
 */
export function cachedFashionMnistDir(cacheDir?: string): string | undefined {
  return cachedMnistLikeDir(FASHION_MNIST_FORMAT, cacheDir);
}
