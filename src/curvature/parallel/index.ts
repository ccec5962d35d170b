export {
  checkDatasetArrays,
  copyDatasetArrays,
  type DatasetArrays,
  datasetArrays,
  datasetFromArrays,
} from './datasetArrays.js';
export type { SerializableObjectiveOptions } from './hessianWorkerProtocol.js';
export {
  buildModel,
  copySnapshot,
  type ModelSnapshot,
  type ModelSpec,
  modelSpecOf,
  restoreModel,
  snapshotBuffers,
  snapshotModel,
} from './modelSnapshot.js';
export { type ModuleWorkerOptions, moduleUrl, siblingModuleUrl, startModuleWorker } from './moduleWorker.js';
export {
  type ParallelHutchinsonOptions,
  type ParallelHutchinsonResult,
  parallelHutchinsonTrace,
} from './parallelHutchinsonTrace.js';
