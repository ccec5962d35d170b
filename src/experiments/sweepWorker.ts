// Entry point of a sweep worker thread (see workerPoolExecutor): imports the runner, sets it up once (its
// own tfjs backend lives in this thread), then runs the tasks the pool sends, one at a time.
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { describeError, type Runner } from './executor.js';
import type { FromWorkerMessage, SweepWorkerData, ToWorkerMessage } from './workerProtocol.js';

const port = parentPort;
if (!port) throw new Error('sweepWorker must be started as a worker thread by workerPoolExecutor');
const data = workerData as SweepWorkerData;
const send = (message: FromWorkerMessage) => port.postMessage(message);

async function loadRunner(): Promise<Runner> {
  const url = isAbsolute(data.runner.url) ? pathToFileURL(data.runner.url).href : data.runner.url;
  const exportName = data.runner.exportName ?? 'runner';
  const module = (await import(url)) as Record<string, unknown>;
  const runner = module[exportName] as Runner | undefined;
  if (!runner || typeof runner.run !== 'function')
    throw new Error(`${data.runner.url} has no export '${exportName}' with a run(task, context) function`);
  return runner;
}

try {
  const runner = await loadRunner();
  const line = await runner.setup?.();
  let queue = Promise.resolve();
  port.on('message', (message: ToWorkerMessage) => {
    if (message.type !== 'task') return;
    const { task } = message;
    // Tasks run strictly one after another even if the pool sent two.
    queue = queue.then(async () => {
      try {
        const record = await runner.run(task, {
          worker: data.worker,
          report: (progress) => send({ type: 'progress', taskId: task.id, progress }),
          log: (text) => send({ type: 'log', message: text }),
        });
        send({ type: 'finished', taskId: task.id, record });
      } catch (error) {
        send({ type: 'failed', taskId: task.id, error: describeError(error) });
      }
    });
  });
  send({ type: 'ready', line: line ?? undefined });
} catch (error) {
  send({ type: 'setupFailed', error: describeError(error) });
}
