import { readFileSync } from 'node:fs';
import { closestName } from '../util/knownKeys.js';
import { type Command, UsageError } from './command.js';
import { commands } from './commands/index.js';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `sgd-factors — measure what shapes the minima SGD finds

Usage: sgd-factors <command> [options]      (sgd-factors help <command> for its options)

Commands:
${lines.join('\n')}

  --version  print the version
`;
}

/** The package's version, from its package.json. */
export function packageVersion(): string {
  const path = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

/**
 * Explains a `parseArgs` error in one line: an unknown flag with the nearest known one, a flag whose
 * value looks like another flag (a negative number: `--lr=-1`).
 */
function explainParseError(error: Error & { code?: string }, command: Command, args: string[]): string {
  const unknown = /Unknown option '(--?[^']+)'/.exec(error.message);
  if (unknown) {
    const flag = unknown[1] as string;
    const known = [...command.usage.matchAll(/(--[a-z][a-z0-9-]*)/g)].map((m) => m[1] as string);
    // A flag of another form of the command (e.g. --out to 'sweep status', which takes DIR) is known to
    // the usage text but not here: suggesting the flag itself would read as nonsense.
    if (known.includes(flag))
      return `option ${flag} does not apply to this form of '${command.name}'; 'sgd-factors help ${command.name}' shows which forms take it`;
    const close = closestName(flag, [...new Set(known)]);
    return `unknown option ${flag}${close ? ` (did you mean ${close}?)` : ''}`;
  }
  const missing = /Option '(--[a-z0-9-]+)[^']*' argument (?:missing|is ambiguous)/.exec(error.message);
  if (missing) {
    const flag = missing[1] as string;
    const next = args[args.indexOf(flag) + 1];
    if (next !== undefined && /^-\d|^-\./.test(next))
      return `${flag} needs a value; write a negative one as ${flag}=${next}`;
    return `${flag} needs a value`;
  }
  return error.message;
}

/**
 * Entry point of the `sgd-factors` command line.
 *
 * @param argv - the arguments after the program name.
 * @returns the process exit code: 0 success, 1 failure, 2 bad command line.
 */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const helpOf = first === 'help' && rest.length > 0 ? rest[0] : undefined;
  if (
    first === undefined ||
    first === '--help' ||
    first === '-h' ||
    (first === 'help' && helpOf === undefined)
  ) {
    process.stdout.write(help());
    return first === undefined ? 2 : 0;
  }
  const name = helpOf ?? first;
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    const close = closestName(
      name,
      commands.map((c) => c.name),
    );
    process.stderr.write(
      `sgd-factors: unknown command '${name}'${close ? ` (did you mean '${close}'?)` : ''}; 'sgd-factors --help' lists the commands\n`,
    );
    return 2;
  }
  if (helpOf !== undefined || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const parseError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const message = parseError
      ? explainParseError(error as Error, command, rest)
      : error instanceof Error
        ? error.message
        : String(error);
    if (error instanceof UsageError || parseError) {
      process.stderr.write(`sgd-factors ${name}: ${message}\n(see 'sgd-factors help ${name}')\n`);
      return 2;
    }
    process.stderr.write(`sgd-factors ${name}: ${message}\n`);
    if (process.env['SGD_FACTORS_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
