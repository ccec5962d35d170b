export type { SerializableObjectiveOptions } from './hessianWorkerProtocol.js';
export type { ModelArchitecture, ModelSnapshot } from './modelSnapshot.js';
export {
  type ParallelHutchinsonOptions,
  type ParallelHutchinsonResult,
  parallelHutchinsonTrace,
} from './parallelHutchinsonTrace.js';
