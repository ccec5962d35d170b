// A TypeScript worker entry for test/curvature/parallel/moduleWorker.test.ts: reports how it was started
// and the oneDNN thread count a worker gets by default.
import { parentPort, workerData } from 'node:worker_threads';
import { onednnThreads } from '../../src/backend/kernels/onednn/onednnThreads.js';

const threads: number = onednnThreads(undefined);
parentPort?.postMessage({ execArgv: process.execArgv, workerData, threads });
