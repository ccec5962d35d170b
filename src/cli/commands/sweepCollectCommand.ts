import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { collectSweepResults } from '../../experiments/collectResults.js';
import { UsageError } from '../command.js';

/** `sgd-factors sweep collect DIR`: rewrites DIR/results.jsonl from the runs' result.json files. */
export async function sweepCollectCommand(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
  if (positionals.length !== 1)
    throw new UsageError('give the sweep directory: sgd-factors sweep collect DIR');
  const dir = resolve(positionals[0] as string);
  const collected = collectSweepResults(dir);
  const total = collected.records.length + collected.missing.length;
  process.stdout.write(
    `${collected.records.length} of ${total} runs have results; written to ${join(dir, 'results.jsonl')}\n` +
      (collected.missing.length > 0
        ? `${collected.missing.length} missing (see 'sgd-factors sweep status ${dir} --missing')\n`
        : `Make the tables and figures with: sgd-factors report ${dir}\n`),
  );
  return 0;
}
