/**
 * Layout of the CIFAR-10 binary distribution (`cifar-10-binary.tar.gz`): each batch file is a plain
 * sequence of records, one label byte then 3,072 pixel bytes (1,024 red, then 1,024 green, then 1,024
 * blue, each plane row-major 32×32, i.e. CHW order).
 */

/** Image height and width in pixels. */
export const CIFAR10_SIDE = 32;
/** Colour channels. */
export const CIFAR10_CHANNELS = 3;
/** Pixel bytes per image (32·32·3). */
export const CIFAR10_PIXELS = CIFAR10_SIDE * CIFAR10_SIDE * CIFAR10_CHANNELS;
/** Bytes per record: one label byte and the pixels. */
export const CIFAR10_RECORD_BYTES = 1 + CIFAR10_PIXELS;
/** Records per batch file in the official distribution. */
export const CIFAR10_RECORDS_PER_FILE = 10_000;
/** Number of classes. */
export const CIFAR10_NUM_CLASSES = 10;
/** The training batch files, in the order their records are concatenated. */
export const CIFAR10_TRAIN_FILES: readonly string[] = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
];
/** The test batch file. */
export const CIFAR10_TEST_FILE = 'test_batch.bin';
/** The directory the official archive unpacks into. */
export const CIFAR10_ARCHIVE_DIR = 'cifar-10-batches-bin';
/** Class names, by label (the content of `batches.meta.txt`). */
export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
