import { describeError, type Executor, type Runner } from './executor.js';

/**
 * An executor that runs the tasks one after another in this thread.
 *
 * @remarks
 * The choice for native TensorFlow (tfjs-node, tfjs-node-gpu), which cannot be loaded in more than one
 * worker thread of a process, and where one run already keeps a GPU or all cores busy. Also the simplest
 * way to run a sweep with a runner defined inline (tests, notebooks).
 *
 * @param runner - what runs each task; its `setup` is called once, before the first task.
 */
export function inProcessExecutor(runner: Runner): Executor {
  let setupDone = false;
  return {
    concurrency: 1,
    async run(tasks, onEvent, claim) {
      if (!setupDone && tasks.length > 0) {
        const line = await runner.setup?.();
        setupDone = true;
        if (line) onEvent({ type: 'log', worker: 0, message: line });
      }
      for (const task of tasks) {
        if (claim && !claim(task)) continue;
        onEvent({ type: 'started', taskId: task.id, worker: 0 });
        try {
          const record = await runner.run(task, {
            worker: 0,
            report: (progress) => onEvent({ type: 'progress', taskId: task.id, worker: 0, progress }),
            log: (message) => onEvent({ type: 'log', worker: 0, message }),
          });
          onEvent({ type: 'finished', taskId: task.id, worker: 0, record });
        } catch (error) {
          onEvent({ type: 'failed', taskId: task.id, worker: 0, error: describeError(error) });
        }
      }
    },
  };
}
