export { sweepStaleTempFiles, writeFileAtomic } from './atomicWrite.js';
export { describePathKind, fileError, type PathKind, pathKind } from './fileErrors.js';
export {
  checkOptionKeys,
  closestMatch,
  editDistance,
  type OptionKeys,
} from './options.js';
export {
  createProgress,
  type Progress,
  type ProgressEvent,
  type ProgressListener,
  type ProgressOptions,
} from './progress.js';
export { createRng, type Rng } from './random.js';
export { MAX_JSON_DEPTH, parseJsonText, readJsonFile } from './readJsonFile.js';
export { ownedTempTag, type SweepStaleFilesOptions, sweepStaleFiles } from './staleFiles.js';
