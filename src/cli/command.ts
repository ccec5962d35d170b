/** One `sgd-factors` sub-command. */
export interface Command {
  /** The word typed after `sgd-factors`. */
  name: string;
  /** One line for `sgd-factors --help`. */
  summary: string;
  /** Full usage text for `sgd-factors NAME --help`. */
  usage: string;
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** An error in the command line itself: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
