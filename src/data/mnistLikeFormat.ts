/**
 * What distinguishes one MNIST-like data set (MNIST, Fashion-MNIST) from another: four IDX files with
 * the same names and layout — 28×28 unsigned-byte grey images and unsigned-byte labels 0–9 — published
 * at different addresses with different content and class names.
 */

/** Image height and width in pixels. */
export const MNIST_LIKE_SIDE = 28;
/** Pixels per image (28·28, one grey channel). */
export const MNIST_LIKE_PIXELS = MNIST_LIKE_SIDE * MNIST_LIKE_SIDE;
/** Number of classes. */
export const MNIST_LIKE_NUM_CLASSES = 10;

/** The four files of an MNIST-like data set. */
export type MnistLikeFileKey = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

/** The file keys in download order. */
export const MNIST_LIKE_FILE_KEYS: readonly MnistLikeFileKey[] = [
  'trainImages',
  'trainLabels',
  'testImages',
  'testLabels',
];

/** Base names of the files, without `.gz` (the same for every MNIST-like data set). */
export const MNIST_LIKE_FILE_NAMES: Readonly<Record<MnistLikeFileKey, string>> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** Size and checksum a downloaded file must have. */
export interface ExpectedFile {
  /** Size in bytes. */
  bytes: number;
  /** MD5 (hex). */
  md5: string;
}

/** A data set in the MNIST file layout. */
export interface MnistLikeFormat {
  /** Human name, used in messages (e.g. `Fashion-MNIST`). */
  title: string;
  /** The suffix of its public function names (e.g. `FashionMnist` for `loadFashionMnist`). */
  apiName: string;
  /** Directory name under `$XDG_CACHE_HOME/sgd-factors/` (e.g. `fashion-mnist`). */
  cacheName: string;
  /** Address the `.gz` files are downloaded from; ends with `/`. */
  baseUrl: string;
  /** Size and MD5 of each official `.gz` file. */
  files: Readonly<Record<MnistLikeFileKey, ExpectedFile>>;
  /** Class names by label. */
  classNames: readonly string[];
}
