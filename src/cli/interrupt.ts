/**
 * While `work` runs, Ctrl-C (SIGINT) prints how to resume and exits with 130 (128 + SIGINT), instead of
 * dying silently: what is on disk is consistent at any moment (atomic writes), so the message only has to
 * say which command continues.
 *
 * @param resumeHint - what to tell the user, e.g. "continue with the same command and --resume".
 * @param work - the command's work.
 */
export async function withResumeHint<T>(resumeHint: string, work: () => Promise<T>): Promise<T> {
  const onInterrupt = () => {
    process.stderr.write(`\ninterrupted: ${resumeHint}\n`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    return await work();
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}
