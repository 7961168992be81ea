// How every local command ends: a clear one-line message naming the problem and a non-zero exit, never a bare
// stack trace (DEBUG=1 prints the stack too, for the rare error that is a bug rather than bad input).
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The command line itself is wrong: exit 2, as shells expect for usage errors. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where a command writes: the process's own streams, or a test's. */
export interface CommandOutput {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A command's main: its arguments and output in, its exit code out, so a test can run it in-process. */
export type CommandMain = (args: string[], output: CommandOutput) => Promise<number>;

export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(options: T, args: string[]) {
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

/** Runs main to its exit code; an error becomes one line on stderr naming it (exit 2 for a usage error). */
export async function exitCodeOf(
  name: string,
  main: CommandMain,
  args: string[],
  output: CommandOutput,
): Promise<number> {
  try {
    return await main(args, output);
  } catch (error) {
    output.stderr.write(`${name}: ${describeError(error)}\n`);
    if (process.env.DEBUG && error instanceof Error) output.stderr.write(`${error.stack}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

/** The process's entry: main on the command line's arguments, then exit with its code. */
export function runMain(name: string, main: CommandMain): void {
  exitCodeOf(name, main, process.argv.slice(2), process)
    .then((code) => {
      process.exitCode = code;
    })
    // Lingering sockets (SDK keep-alive, emulators still closing) must not hold the exit up.
    .finally(() => setTimeout(() => process.exit(), 50).unref());
}
