export { writeFileAtomic } from './atomicWrite.js';
export { createProgress, type Progress, type ProgressOptions } from './progress.js';
export { createRng, type Rng } from './random.js';
