// How every local command ends: a clear one-line message naming the problem and a non-zero exit, never a bare
// stack trace (DEBUG=1 prints the stack too, for the rare error that is a bug rather than bad input).
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The command line itself is wrong: exit 2, as shells expect for usage errors. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  options: T,
  args = process.argv.slice(2),
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const known = ['UsageError', 'MockFileError', 'StageEnvironmentError', 'LocalCommandError'];
  const message = error.message.split('\n')[0] ?? '';
  return known.includes(error.name) ? message : `${error.name}: ${message}`;
}

/** A problem the user can fix (a missing file, a stopped serve instance), reported without its class name. */
export class LocalCommandError extends Error {
  override name = 'LocalCommandError';
}

/** Runs a command's main: its result is the exit code; an error becomes one line (exit 2 for a usage error). */
export function runMain(name: string, main: () => Promise<number>): void {
  main()
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: unknown) => {
      process.stderr.write(`${name}: ${describeError(error)}\n`);
      if (process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    })
    // Lingering sockets (SDK keep-alive, emulators still closing) must not hold the exit up.
    .finally(() => setTimeout(() => process.exit(), 50).unref());
}
