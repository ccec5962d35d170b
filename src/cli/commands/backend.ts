import { parseArgs } from 'node:util';
import { type BackendName, initBackend } from '../../backend/initBackend.js';
import { type Command, UsageError } from '../command.js';

export const backendCommand: Command = {
  name: 'backend',
  summary: 'print the active compute backend and why it was chosen',
  usage: `sgd-factors backend [--backend tensorflow|wasm|cpu] [--json]

Chooses a backend exactly as the library does (tfjs-node-gpu, then tfjs-node, then wasm, then cpu)
and prints its name and the reason, e.g. "wasm (tfjs-node-gpu not installed; tfjs-node not installed)".`,
  async run(args) {
    const { values } = parseArgs({
      args,
      // --quiet is accepted as on every command; this one writes only its answer, on stdout.
      options: {
        backend: { type: 'string' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean' },
      },
      strict: true,
    });
    const forced = values.backend;
    if (forced !== undefined && !['tensorflow', 'wasm', 'cpu'].includes(forced)) {
      throw new UsageError(`--backend must be tensorflow, wasm or cpu, got '${forced}'`);
    }
    const info = await initBackend({ quiet: true, ...(forced ? { backend: forced as BackendName } : {}) });
    if (values.json) process.stdout.write(`${JSON.stringify(info)}\n`);
    else process.stdout.write(`${info.backend}\n  package: ${info.package}\n  reason:  ${info.reason}\n`);
    return 0;
  },
};
