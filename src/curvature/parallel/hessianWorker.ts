// Entry point of a Hessian worker thread (see parallelHutchinsonTrace): sets up its own tfjs backend,
// rebuilds the model with all its weights, builds the Hessian operator on the data it was given, then
// answers each probe z with zᵀHz, one probe at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../backend/initBackend.js';
import { datasetFromArrays } from '../../data/datasetArrays.js';
import { type HessianOperator, hessianOperator } from '../hessianOperator.js';
import type { FromHessianWorker, HessianWorkerData, ToHessianWorker } from './hessianWorkerProtocol.js';
import { restoreModel } from './modelSnapshot.js';

const port = parentPort;
if (!port) throw new Error('hessianWorker must be started as a worker thread by parallelHutchinsonTrace');
const data = workerData as HessianWorkerData;
const send = (message: FromHessianWorker) => port.postMessage(message);
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

let ready: Promise<HessianOperator> | undefined;

async function setUp(): Promise<HessianOperator> {
  await initBackend({ backend: data.backend, quiet: true });
  const model = await restoreModel(data.model, `the weights sent to worker ${data.slot}`);
  return hessianOperator(model, datasetFromArrays(data.data), data.objective);
}

// Probes are computed strictly one after another, whatever the parent sends.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToHessianWorker) => {
  if (message.type !== 'probe') return;
  queue = queue.then(async () => {
    try {
      const op = await ready!;
      const z = message.vector;
      const hz = await op.matvec(z);
      // The same sum, in the same order, as hutchinsonTrace: the value is bitwise the in-process one.
      let value = 0;
      for (let i = 0; i < z.length; i++) value += z[i]! * hz[i]!;
      send({ type: 'value', index: message.index, value });
    } catch (error) {
      send({ type: 'failed', index: message.index, error: messageOf(error) });
    }
  });
});

try {
  ready = setUp();
  const op = await ready;
  send({ type: 'ready', dim: op.dim });
} catch (error) {
  send({ type: 'failed', index: null, error: messageOf(error) });
}
