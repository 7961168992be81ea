// The operator's commands file (`extract-runner --commands FILE`): the only programs this runner starts. A table's
// `command` names one of them; the table's values reach it as EXTRACT_* environment variables, never as shell
// text. So a config author chooses among what the runner's operator approved, and with which values, but never
// what code runs on the runner host. YAML or JSON (YAML is a superset of JSON), for example:
//
//   environment: [ORACLE_HOME]          # runner variables every command gets, besides PATH, HOME, LANG, TZ…
//   commands:
//     extract-oracle:                   # a table's `command: extract-oracle`
//       argv: [./extract-oracle.sh, --fetch-size, 10000]   # a path (relative to this file) and fixed arguments
//       environment: [TNS_ADMIN]        # runner variables this command also gets
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ENVIRONMENT_NAME_PATTERN, isRunnerCredential } from './command-environment';

export const COMMAND_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export class CommandsFileError extends Error {
  override name = 'CommandsFileError';
}

const environmentNames = z
  .array(
    z
      .string()
      .regex(ENVIRONMENT_NAME_PATTERN, 'must be an environment variable name')
      .refine((name) => !isRunnerCredential(name), "is the runner's own credential; commands never get it"),
  )
  .max(256);

const commandSchema = z.strictObject({
  argv: z
    .array(z.union([z.string().min(1).max(4096), z.number(), z.boolean()]).transform(String))
    .min(1, 'must name the program to run')
    .max(256),
  environment: environmentNames.optional(),
  description: z.string().max(1024).optional(),
});

const fileSchema = z.strictObject({
  version: z.literal(1).default(1),
  environment: environmentNames.optional(),
  commands: z
    .record(
      z
        .string()
        .regex(COMMAND_NAME_PATTERN, 'must be 1-128 letters, digits, _ . : or -, starting alphanumeric'),
      commandSchema,
    )
    .refine((commands) => Object.keys(commands).length > 0, 'must approve at least one command'),
});

export interface ApprovedCommand {
  name: string;
  /** The program: an absolute path, or a bare name found on the command's PATH. */
  file: string;
  args: string[];
  /** Runner environment variables this command gets besides the base allow-list. */
  environment: string[];
}

export interface ApprovedCommands {
  /** Where the file was read from, for messages. */
  source: string;
  /** Runner environment variables every command gets (also a shell command under --allow-shell). */
  environment: string[];
  commands: Map<string, ApprovedCommand>;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`)
    .join('; ');
}

/** Paths are taken relative to the commands file, so a file and its scripts can move together. */
function resolveProgram(name: string, program: string, baseDir: string, source: string): string {
  if (!program.includes('/')) return program;
  const file = resolve(baseDir, program);
  try {
    accessSync(file, constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CommandsFileError(
      `${source}: commands.${name}.argv.0: ${file} is not an executable file (${code ?? 'unknown error'})`,
    );
  }
  return file;
}

export function parseCommandsFile(text: string, source: string, baseDir = dirname(source)): ApprovedCommands {
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (error) {
    throw new CommandsFileError(`${source} is not valid YAML or JSON: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(document);
  if (!parsed.success) throw new CommandsFileError(`${source}: ${describeIssues(parsed.error)}`);
  const commands = new Map<string, ApprovedCommand>();
  for (const [name, entry] of Object.entries(parsed.data.commands)) {
    const [program, ...args] = entry.argv as [string, ...string[]];
    commands.set(name, {
      name,
      file: resolveProgram(name, program, baseDir, source),
      args,
      environment: entry.environment ?? [],
    });
  }
  return { source, environment: parsed.data.environment ?? [], commands };
}

export function loadCommandsFile(path: string): ApprovedCommands {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CommandsFileError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  return parseCommandsFile(text, path, dirname(resolve(path)));
}
