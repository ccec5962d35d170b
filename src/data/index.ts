export {
  type AugmentOptions,
  type BatchOrderOptions,
  epochBatches,
  gatherBatch,
} from './batches.js';
export type { Dataset, SplitDataset } from './dataset.js';
