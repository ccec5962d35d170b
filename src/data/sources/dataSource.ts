import type { SplitDataset } from '../dataset.js';

/**
 * Data as a run spec names it: a registered source, where its files are, how many examples are used and
 * the source's own parameters. Plain JSON, so that a run's `config.json` loads the same data again.
 */
export interface DataSpec {
  /** The registered source (`cifar10`, `fashion-mnist`, `mnist`, `synthetic`, or one registered by the user). */
  name: string;
  /** The directory its files were read from (absolute), or null for generated data. */
  dir: string | null;
  /** Training examples used (the first `trainSize`), or null for all. */
  trainSize: number | null;
  /** Test examples used (the first `testSize`), or null for all. */
  testSize: number | null;
  /** The source's parameters, normalized by its {@link DataSourceDefinition.normalize} (e.g. synthetic sizes and seed). */
  params: Record<string, unknown>;
}

/** What a source holds, known before loading it. */
export interface DataSourceShape {
  /** Shape of one example, e.g. `[28, 28, 1]`. */
  inputShape: number[];
  /** Number of classes. */
  numClasses: number;
  /** Examples in the full training set. */
  trainSize: number;
  /** Examples in the full test set. */
  testSize: number;
}

/** How a file-backed source finds its files. */
export interface LocateOptions {
  /** A directory given by the user (`--data DIR`); its files are checked when loading. */
  dir?: string;
  /** Download (verified) into the cache when the cache does not hold the files yet. */
  download: boolean;
  /** The cache directory; default the source's own. */
  cacheDir?: string;
  /** Print no download progress. */
  quiet: boolean;
}

/**
 * A data set that run specs, sweep configs and `--dataset NAME` can name. The rest of the library asks the
 * registry for shapes, sizes and loading instead of branching on a name.
 */
export interface DataSourceDefinition {
  /** The name in specs and on the command line. */
  readonly name: string;
  /** One line for help texts. */
  readonly summary: string;
  /** Whether examples come from files (then a directory, a cached download or a download is needed). */
  readonly readsFiles: boolean;
  /**
   * Checks the source's parameters and fills in defaults; errors start with `where` and name the
   * parameter.
   */
  normalize(params: Readonly<Record<string, unknown>>, where: string): Record<string, unknown>;
  /** Input shape, classes and full sizes for normalized parameters. */
  shape(params: Readonly<Record<string, unknown>>): DataSourceShape;
  /**
   * The absolute directory holding the files (`readsFiles` sources): `options.dir` as given, else the
   * verified cache, downloading into it when `options.download`.
   *
   * @throws Error saying how to provide the files when none are found.
   */
  locate?(options: LocateOptions): Promise<string>;
  /**
   * Loads the first `spec.trainSize` training and `spec.testSize` test examples, preprocessed (new tensors
   * the caller disposes). Preprocessing must depend only on the spec (e.g. a mean over the full training
   * set), so that a later measurement preprocesses exactly as training did.
   */
  load(spec: DataSpec): Promise<SplitDataset>;
}
