// Runs the CLI in the test's own process (cheap: no tsx start-up), capturing what it writes.
import { main } from '../../src/cli/main.js';

/** The exit status and the text written to stdout and stderr by `sgd-factors ...args`. */
export async function cliInProcess(
  args: string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const original = { stdout: process.stdout.write, stderr: process.stderr.write };
  // Only text is ours: the test runner reports to its parent process in binary chunks on the same stream,
  // which must pass through, or the results of other tests would vanish.
  const capture = (stream: 'stdout' | 'stderr') =>
    ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'string')
        return (original[stream] as (...a: unknown[]) => boolean).call(process[stream], chunk, ...rest);
      out[stream] += chunk;
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    const status = await main(args);
    return { status, ...out };
  } finally {
    process.stdout.write = original.stdout;
    process.stderr.write = original.stderr;
  }
}
