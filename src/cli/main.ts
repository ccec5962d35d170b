import { type Command, UsageError } from './command.js';
import { commands } from './commands/index.js';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `sgd-factors — measure what shapes the minima SGD finds

Usage: sgd-factors <command> [options]      (sgd-factors <command> --help for its options)

Commands:
${lines.join('\n')}
`;
}

/**
 * Entry point of the `sgd-factors` command line.
 *
 * @param argv - the arguments after the program name.
 * @returns the process exit code: 0 success, 1 failure, 2 bad command line.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`sgd-factors: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`sgd-factors ${name}: ${message}\n(see 'sgd-factors ${name} --help')\n`);
      return 2;
    }
    process.stderr.write(`sgd-factors ${name}: ${message}\n`);
    if (process.env['SGD_FACTORS_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
