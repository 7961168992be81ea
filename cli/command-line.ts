// What the commands (npm start, serve, status, validate, extract-runner, runner-credentials) share: one way to
// declare and parse options, --help and -h, a usage error that shows the usage line and the closest option, and
// one clear line instead of a stack trace when a command fails (DEBUG=1 adds the stack, for the rare error that is
// a bug).
// A leaf outside local/ and runner/ so both can use it: it imports nothing from the project.
import { parseArgs } from 'node:util';

/** Where a command writes: the process's own streams, or a test's. */
export interface CommandOutput {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A command's main: its arguments and output in, its exit code out, so a test can run it in-process. */
export type CommandMain = (args: string[], output: CommandOutput) => Promise<number>;

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  default?: string | boolean;
  /** The value's placeholder in --help, e.g. `<file>`. */
  value?: string;
  description: string;
}

export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** As the user types it, e.g. `npm run status`. */
  name: string;
  /** The usage line(s), without "Usage: ". */
  synopsis: string[];
  options: O;
  positionals?: boolean;
  /** Printed after the options by --help: environment variables, signals, defaults worth a sentence. */
  notes?: string;
}

/** The command line itself is wrong: exit 2, as shells expect for usage errors. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A problem the user can fix (a missing file, a stopped serve instance), reported without its class name. */
export class CommandError extends Error {
  override name = 'CommandError';
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'print this help and exit' };

export function usageLine(spec: CommandSpec): string {
  return spec.synopsis.map((line, index) => `${index === 0 ? 'Usage: ' : '       '}${line}`).join('\n');
}

export function helpText(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, help: HELP }).map(([name, option]) => [
    `${option.short ? `-${option.short}, ` : ''}--${name}${option.value ? ` ${option.value}` : ''}`,
    option.description,
  ]);
  const width = Math.max(...rows.map(([flag]) => flag!.length)) + 2;
  const options = rows.map(([flag, text]) => `  ${flag!.padEnd(width)}${text}`).join('\n');
  return `${usageLine(spec)}\n\nOptions:\n${options}\n${spec.notes ? `\n${spec.notes.trimEnd()}\n` : ''}`;
}

/** Edits from a to b, a swap of two neighbours counting as one (--prot is one typo from --port). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/** The declared option nearest to a mistyped one, if one is near enough to be what was meant. */
export function closestOption(typed: string, names: string[]): string | undefined {
  const bare = typed.replace(/^-+/, '').split('=')[0]!.toLowerCase();
  let best: { name: string; score: number } | undefined;
  for (const name of names) {
    const prefix = bare.length >= 3 && (name.startsWith(bare) || bare.startsWith(name));
    const score = prefix ? 0.5 : distance(bare, name);
    if (score <= Math.max(1, Math.floor(name.length / 3)) && (!best || score < best.score))
      best = { name, score };
  }
  return best?.name;
}

type ParseConfig<O extends Record<string, OptionSpec>> = {
  options: O & { help: typeof HELP & { type: 'boolean' } };
  strict: true;
  allowPositionals: boolean;
};

/** Parses args against the spec; --help/-h is always declared (the caller prints helpText and exits 0). */
export function parseCommandLine<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, args: string[]) {
  const config = {
    args,
    options: { ...spec.options, help: HELP },
    strict: true,
    allowPositionals: spec.positionals ?? false,
  } as ParseConfig<O> & { args: string[] };
  try {
    return parseArgs(config);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UsageError((error as Error).message);
    // Parsed again leniently only to learn which option it was, for the message and the suggestion.
    const { tokens } = parseArgs({ ...config, strict: false, allowPositionals: true, tokens: true });
    const unknown = tokens.find((token) => token.kind === 'option' && !(token.name in config.options));
    const typed = unknown?.kind === 'option' ? unknown.rawName : '?';
    const near = closestOption(typed, Object.keys(config.options));
    throw new UsageError(`unknown option ${typed}${near ? ` (did you mean --${near}?)` : ''}`);
  }
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Errors whose message is written for the user; any other is shown with its class, as a likely bug.
  const known = ['UsageError', 'CommandError', 'MockFileError', 'StageEnvironmentError'];
  const message = error.message.split('\n')[0] ?? '';
  return known.includes(error.name) ? message : `${error.name}: ${message}`;
}

/** Runs main to its exit code; an error becomes one line on stderr naming it (exit 2 and the usage line for a usage error). */
export async function exitCodeOf(
  spec: CommandSpec,
  main: CommandMain,
  args: string[],
  output: CommandOutput,
): Promise<number> {
  try {
    return await main(args, output);
  } catch (error) {
    output.stderr.write(`${spec.name}: ${describeError(error)}\n`);
    if (process.env.DEBUG && error instanceof Error) output.stderr.write(`${error.stack}\n`);
    if (!(error instanceof UsageError)) return 1;
    output.stderr.write(
      `${usageLine(spec)}\n(${spec.name}${spec.name.startsWith('npm ') ? ' --' : ''} --help lists every option)\n`,
    );
    return 2;
  }
}

/** The process's entry: main on the command line's arguments, then exit with its code. */
export function runMain(spec: CommandSpec, main: CommandMain): void {
  exitCodeOf(spec, main, process.argv.slice(2), process)
    .then((code) => {
      process.exitCode = code;
    })
    // Lingering sockets (SDK keep-alive, emulators still closing) must not hold the exit up, but process.exit
    // drops what a pipe has not taken yet (a 10,000-table --json summary): exit once stdout and stderr drained.
    .finally(() => {
      let open = 2;
      const drained = () => {
        if (--open === 0) setTimeout(() => process.exit(), 50).unref();
      };
      process.stdout.write('', drained);
      process.stderr.write('', drained);
    });
}
