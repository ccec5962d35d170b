// `npm run bench [-- --filter SUBSTRING]`: runs every benchmark in bench/*.bench.ts whose name contains
// SUBSTRING and prints one JSON line per result.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Benchmark } from './harness.js';

const { values } = parseArgs({ options: { filter: { type: 'string' } }, allowPositionals: false });
const filter = values.filter ?? '';
const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: Benchmark[] };
  for (const bench of mod.default) {
    if (filter && !bench.name.includes(filter)) continue;
    for await (const result of await bench.run()) {
      if (filter && !result.name.includes(filter) && !bench.name.includes(filter)) continue;
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  }
}
