import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { startModuleWorker, workerExecArgv } from '../../../src/curvature/parallel/moduleWorker.js';

// What Node 24.22's test runner gives each test process (`node --import tsx --test`), verbatim but for
// the long TLS cipher list: Node refuses most of these in a Worker's execArgv.
const NODE_24_TEST_EXEC_ARGV = [
  '--test-coverage-functions=0',
  '--test-concurrency=0',
  '--inspect-publish-uid=stderr,http',
  '--inspect-port=127.0.0.1:9229',
  '--stack-trace-limit=10',
  '--report-signal=SIGUSR2',
  '--secure-heap-min=2',
  '--test-isolation=process',
  '--heap-prof-interval=524288',
  '--import=tsx',
  '--v8-pool-size=4',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Node's literal default, not a template
  '--trace-event-file-pattern=node_trace.${rotation}.log',
  '--tls-cipher-list=TLS_AES_256_GCM_SHA384:HIGH:!aNULL',
  '--experimental-addon-modules',
  '--use-largepages=off',
  '--max-http-header-size=16384',
  '--node-snapshot',
  '--secure-heap=0',
  '--heapsnapshot-near-heap-limit=0',
  '--import',
  'tsx',
];

test('workerExecArgv keeps the module-loading flags in both forms and drops process-wide ones', () => {
  assert.deepEqual(workerExecArgv(NODE_24_TEST_EXEC_ARGV), ['--import=tsx', '--import', 'tsx']);
  assert.deepEqual(
    workerExecArgv([
      '--max-old-space-size=8192',
      '-r',
      'x.cjs',
      '--conditions=dev',
      '--enable-source-maps',
      '--test',
    ]),
    ['-r', 'x.cjs', '--conditions=dev', '--enable-source-maps'],
  );
  assert.deepEqual(workerExecArgv([]), []);
});

test('a Worker starts with the filtered flags of a Node 24 test process', async () => {
  const worker = new Worker('require("node:worker_threads").parentPort.postMessage(process.execArgv)', {
    eval: true,
    execArgv: workerExecArgv(NODE_24_TEST_EXEC_ARGV),
  });
  const [execArgv] = (await new Promise((resolve, reject) => {
    worker.once('message', (m) => resolve([m]));
    worker.once('error', reject);
  })) as [string[]];
  assert.deepEqual(execArgv, ['--import=tsx', '--import', 'tsx']);
  await worker.terminate();
});

test('startModuleWorker starts a TypeScript worker from this test process, whatever flags it has', async () => {
  const entry = new URL('../../helpers/echoWorker.ts', import.meta.url).href;
  const worker = startModuleWorker(entry, { workerData: { hello: 1 }, caller: 'moduleWorker.test' });
  const reply = (await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  })) as { execArgv: string[]; workerData: unknown; threads: number };
  await worker.terminate();
  assert.deepEqual(reply.workerData, { hello: 1 });
  assert.deepEqual(reply.execArgv, workerExecArgv(process.execArgv));
  // oneDNN runs single-threaded inside workers unless initBackend is told otherwise.
  assert.equal(reply.threads, 1);
});
