export type { SerializableObjectiveOptions } from './hessianWorkerProtocol.js';
export {
  buildArchitecture,
  copySnapshot,
  type ModelArchitecture,
  type ModelSnapshot,
  modelArchitectureOf,
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
