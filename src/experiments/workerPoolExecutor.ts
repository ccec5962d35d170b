import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { siblingModuleUrl, startModuleWorker } from '../curvature/parallel/moduleWorker.js';
import type { Executor, RunnerModule, SweepEvent } from './executor.js';
import type { SweepTask } from './sweepTask.js';
import type { FromWorkerMessage, SweepWorkerData, ToWorkerMessage } from './workerProtocol.js';

/**
 * The URL of a sibling module of this one, with the extension this build uses (TypeScript sources in
 * development and tests, compiled JavaScript in `dist`).
 *
 * @param name - the module's file name without extension, e.g. `experimentRunner`.
 */
export function experimentsModuleUrl(name: string): string {
  return siblingModuleUrl(import.meta.url, name);
}

/** The runner a sweep uses unless told otherwise: train a ResNet with SGD, then measure the minimum. */
export function defaultRunnerModule(): RunnerModule {
  return { url: experimentsModuleUrl('experimentRunner'), exportName: 'experimentRunner' };
}

/** Options for {@link workerPoolExecutor}. */
export interface WorkerPoolOptions {
  /** Worker threads, each running one task at a time. Default: the number of cores. */
  workers?: number;
  /** The runner each worker imports. Default {@link defaultRunnerModule}. */
  runner?: RunnerModule;
}

function startWorker(entry: string, data: SweepWorkerData): Worker {
  return startModuleWorker(entry, {
    workerData: data,
    alsoImports: [data.runner.url],
    caller: 'workerPoolExecutor',
  });
}

/**
 * An executor that runs tasks on a pool of worker threads, one task per worker at a time, each worker with
 * its own tfjs backend (the runner's `setup` runs in the worker).
 *
 * @remarks
 * A task that throws is reported as failed and the worker takes the next one; a worker that dies (an
 * uncaught error, running out of memory) fails its current task and is replaced while tasks remain. A
 * worker that cannot even set up (the runner module is missing, no backend) rejects the whole run, since
 * every other worker would fail the same way.
 *
 * Native TensorFlow (tfjs-node, tfjs-node-gpu) cannot be loaded by a second worker thread of one process
 * (tensorflow/tfjs#8388); use {@link inProcessExecutor} with it.
 *
 * @param options - number of workers and the runner module.
 */
export function workerPoolExecutor(options: WorkerPoolOptions = {}): Executor {
  const size = options.workers ?? availableParallelism();
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`workerPoolExecutor: options.workers must be a positive integer, got ${size}`);
  const runner = options.runner ?? defaultRunnerModule();
  const entry = experimentsModuleUrl('sweepWorker');
  return {
    concurrency: size,
    run(
      tasks: readonly SweepTask[],
      onEvent: (event: SweepEvent) => void,
      claim?: (task: SweepTask) => boolean,
    ): Promise<void> {
      const queue = [...tasks];
      const slots = Math.min(size, queue.length);
      if (slots === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const live = new Set<Worker>();
        let settled = false;
        const fail = (error: Error) => {
          if (settled) return;
          settled = true;
          for (const w of live) void w.terminate();
          reject(error);
        };
        const launch = (slot: number) => {
          let worker: Worker;
          try {
            worker = startWorker(entry, { runner, worker: slot });
          } catch (error) {
            fail(error as Error);
            return;
          }
          live.add(worker);
          let ready = false;
          let current: SweepTask | undefined;
          let lastError: Error | undefined;
          const next = () => {
            current = queue.shift();
            while (current && claim && !claim(current)) current = queue.shift();
            if (!current) {
              void worker.terminate();
              return;
            }
            onEvent({ type: 'started', taskId: current.id, worker: slot });
            worker.postMessage({ type: 'task', task: current } satisfies ToWorkerMessage);
          };
          worker.on('message', (message: FromWorkerMessage) => {
            if (settled) return;
            switch (message.type) {
              case 'ready':
                ready = true;
                if (message.line) onEvent({ type: 'log', worker: slot, message: message.line });
                next();
                break;
              case 'setupFailed':
                fail(new Error(`sweep worker ${slot} could not set up its runner: ${message.error}`));
                break;
              case 'progress':
                onEvent({
                  type: 'progress',
                  taskId: message.taskId,
                  worker: slot,
                  progress: message.progress,
                });
                break;
              case 'log':
                onEvent({ type: 'log', worker: slot, message: message.message });
                break;
              case 'finished':
                current = undefined;
                onEvent({ type: 'finished', taskId: message.taskId, worker: slot, record: message.record });
                next();
                break;
              case 'failed':
                current = undefined;
                onEvent({ type: 'failed', taskId: message.taskId, worker: slot, error: message.error });
                next();
                break;
            }
          });
          worker.on('error', (error) => {
            lastError = error;
          });
          worker.on('exit', (code) => {
            live.delete(worker);
            if (settled) return;
            if (!ready) {
              fail(
                new Error(
                  `sweep worker ${slot} exited (code ${code}) before it was ready${lastError ? `: ${lastError.message}` : ''}`,
                ),
              );
              return;
            }
            if (current) {
              const why = lastError ? lastError.message : `exit code ${code}`;
              onEvent({
                type: 'failed',
                taskId: current.id,
                worker: slot,
                error: `the worker died (${why})`,
              });
              current = undefined;
              if (queue.length > 0) launch(slot);
            }
            if (live.size === 0 && queue.length === 0) {
              settled = true;
              resolve();
            }
          });
        };
        for (let slot = 0; slot < slots; slot++) launch(slot);
      });
    },
  };
}
