// `extract-runner --endpoint URL --worker-group G --commands FILE [--concurrency N] [--region R]`: a self-hosted
// task runner for the extract pipeline's task-runner endpoint. It runs only the commands its operator approved in
// the commands file (docs/runner-security.md). Credentials come from the standard AWS chain (env, profile, …):
// set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY to a key issued by `runner-credentials create`.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataPipelineClient, ReportTaskRunnerHeartbeatCommand } from '@aws-sdk/client-data-pipeline';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CommandsFileError, loadCommandsFile } from './commands-file';
import { DEFAULT_RUNNER_OPTIONS, ExtractRunner } from './extract-runner';
import type { RunnerLogger } from './extract-runner';
import {
  CommandError,
  exitCodeOf,
  helpText,
  parseCommandLine,
  UsageError,
  type CommandOutput,
  type CommandSpec,
} from '../cli/command-line';

/** The endpoint holds a poll for up to 90 s; the socket must outlast it, as the PollForTask reference asks. */
export const REQUEST_TIMEOUT_MS = 120_000;

export const EXTRACT_RUNNER_COMMAND = {
  name: 'extract-runner',
  synopsis: [
    'extract-runner --endpoint URL --worker-group GROUP --commands FILE [--allow-shell] [--concurrency N]',
    '[--region REGION] [--progress-interval SECONDS] [--shutdown-grace SECONDS] [--kill-grace SECONDS]',
    '[--hostname NAME]',
  ],
  options: {
    endpoint: { type: 'string', value: 'URL', description: "the stage's task-runner endpoint (required)" },
    'worker-group': {
      type: 'string',
      value: 'GROUP',
      description: 'the worker group to serve; the key must be granted it (required)',
    },
    commands: {
      type: 'string',
      value: 'FILE',
      description: 'the commands this runner may run, YAML or JSON (required unless --allow-shell)',
    },
    'allow-shell': {
      type: 'boolean',
      default: false,
      description:
        "also run a task's command that is not in --commands as `bash -c` (config authors then run any code)",
    },
    concurrency: {
      type: 'string',
      value: 'N',
      default: String(DEFAULT_RUNNER_OPTIONS.concurrency),
      description: `tasks run at once (default ${DEFAULT_RUNNER_OPTIONS.concurrency})`,
    },
    region: {
      type: 'string',
      value: 'REGION',
      description: 'SigV4 signing region (default $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1)',
    },
    'progress-interval': {
      type: 'string',
      value: 'SECONDS',
      default: String(DEFAULT_RUNNER_OPTIONS.progressIntervalMs / 1000),
      description: `how often a running task reports progress (default ${DEFAULT_RUNNER_OPTIONS.progressIntervalMs / 1000})`,
    },
    'shutdown-grace': {
      type: 'string',
      value: 'SECONDS',
      default: String(DEFAULT_RUNNER_OPTIONS.shutdownGraceMs / 1000),
      description: `after SIGTERM or Ctrl-C, how long running tasks may finish (default ${DEFAULT_RUNNER_OPTIONS.shutdownGraceMs / 1000})`,
    },
    'kill-grace': {
      type: 'string',
      value: 'SECONDS',
      default: String(DEFAULT_RUNNER_OPTIONS.killGraceMs / 1000),
      description: `between SIGTERM and SIGKILL when a command is stopped (default ${DEFAULT_RUNNER_OPTIONS.killGraceMs / 1000})`,
    },
    hostname: {
      type: 'string',
      value: 'NAME',
      default: hostname(),
      description: 'reported with polls and heartbeats',
    },
  },
  notes: `Credentials come from the standard AWS chain. Set the key from \`runner-credentials create\`:
  AWS_ACCESS_KEY_ID       the runner key's access key id
  AWS_SECRET_ACCESS_KEY   its secret (shown once, by runner-credentials create)
  AWS_PROFILE             or a profile holding the two (AWS_SESSION_TOKEN is not used by runner keys)
Commands get PATH, HOME, USER, LANG, LC_ALL, TZ, TMPDIR, the variables the commands file lists and the task's
EXTRACT_* values, never the runner's key. The endpoint must be https:// (plain http:// only to loopback). A second
SIGTERM or Ctrl-C stops running commands at once. See docs/runner-security.md.
Logs are JSON lines on stderr; the commands' output goes to stdout. A configuration error (no credentials, a
wrong secret, a revoked key, a worker group the key is not granted) ends the runner at start with exit 1.`,
} satisfies CommandSpec;

/** Loopback only: anywhere else, plain HTTP would let whoever sits on the path choose what the runner runs. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function checkEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`--endpoint ${endpoint}: not a URL.`);
  }
  if (url.protocol === 'https:') return endpoint;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return endpoint;
  throw new CommandError(
    `--endpoint ${endpoint}: refused, the endpoint must use https:// (plain http:// only to 127.0.0.0/8, ::1 or localhost).`,
  );
}

export function parseRunnerArgs(argv: string[]) {
  const { values } = parseCommandLine(EXTRACT_RUNNER_COMMAND, argv);
  if (values.help) return undefined;
  if (!values.endpoint || !values['worker-group'])
    throw new UsageError('--endpoint and --worker-group are required.');
  if (!values.commands && !values['allow-shell'])
    throw new UsageError(
      '--commands is required: the file of commands this runner may run (or --allow-shell, see docs/runner-security.md).',
    );
  const positive = (name: string, raw: string) => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number.`);
    return value;
  };
  return {
    endpoint: checkEndpoint(values.endpoint),
    workerGroup: values['worker-group'],
    concurrency: Math.floor(positive('concurrency', values.concurrency)),
    region: values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    progressIntervalMs: positive('progress-interval', values['progress-interval']) * 1000,
    shutdownGraceMs: positive('shutdown-grace', values['shutdown-grace']) * 1000,
    killGraceMs: positive('kill-grace', values['kill-grace']) * 1000,
    commandsFile: values.commands,
    allowShell: values['allow-shell'],
    hostname: values.hostname,
  };
}

const jsonLogger: RunnerLogger = {
  info: (message, extra) => process.stderr.write(`${JSON.stringify({ level: 'INFO', message, ...extra })}\n`),
  warn: (message, extra) => process.stderr.write(`${JSON.stringify({ level: 'WARN', message, ...extra })}\n`),
};

/** Errors no retry can mend: the runner stops at once instead of polling with them forever. */
const CONFIGURATION_ERRORS = ['AccessDeniedException', 'CredentialsProviderError', 'InvalidRequestException'];

/** One heartbeat before the first poll: a key, secret or worker-group grant that is wrong fails here, clearly. */
async function checkConfiguration(client: DataPipelineClient, args: RunnerArgs): Promise<void> {
  try {
    await client.send(
      new ReportTaskRunnerHeartbeatCommand({
        taskrunnerId: args.taskrunnerId,
        workerGroup: args.workerGroup,
        hostname: args.hostname,
      }),
    );
  } catch (error) {
    const { name, message } = error as Error;
    if (!CONFIGURATION_ERRORS.includes(name)) return; // unreachable or failing endpoint: the loop retries
    if (name === 'CredentialsProviderError')
      throw new CommandError(
        'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) to a key from runner-credentials create',
      );
    throw new CommandError(`${args.endpoint} refused this runner: ${message}`);
  }
}

/** A commands file that cannot be used stops the runner at start with one line naming the entry. */
function readCommandsFile(path: string) {
  try {
    return loadCommandsFile(path);
  } catch (error) {
    if (error instanceof CommandsFileError) throw new CommandError(`--commands ${error.message}`);
    throw error;
  }
}

type RunnerArgs = NonNullable<ReturnType<typeof parseRunnerArgs>> & { taskrunnerId: string };

async function runRunner(argv: string[], output: CommandOutput): Promise<number> {
  const parsed = parseRunnerArgs(argv);
  if (!parsed) {
    output.stdout.write(helpText(EXTRACT_RUNNER_COMMAND));
    return 0;
  }
  const args: RunnerArgs = { ...parsed, taskrunnerId: `${parsed.hostname}-${randomUUID()}` };
  const commands = args.commandsFile ? readCommandsFile(args.commandsFile) : undefined;
  const client = new DataPipelineClient({
    endpoint: args.endpoint,
    region: args.region,
    requestHandler: new NodeHttpHandler({ requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: 10_000 }),
  });
  try {
    await checkConfiguration(client, args);
  } catch (error) {
    client.destroy();
    throw error;
  }
  const runner = new ExtractRunner(client, {
    ...DEFAULT_RUNNER_OPTIONS,
    workerGroup: args.workerGroup,
    concurrency: args.concurrency,
    hostname: args.hostname,
    taskrunnerId: args.taskrunnerId,
    progressIntervalMs: args.progressIntervalMs,
    shutdownGraceMs: args.shutdownGraceMs,
    killGraceMs: args.killGraceMs,
    commands,
    allowShell: args.allowShell,
    logger: jsonLogger,
  });
  // The first signal drains (running commands get --shutdown-grace); a second one stops them at once.
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    jsonLogger.info('Signal received', { signal });
    if (++signals === 1) runner.stop();
    else runner.stopNow();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  jsonLogger.info('Runner started', {
    endpoint: args.endpoint,
    workerGroup: args.workerGroup,
    concurrency: args.concurrency,
    commands: commands ? [...commands.commands.keys()] : [],
    allowShell: args.allowShell,
  });
  await runner.run();
  client.destroy();
  return 0;
}

/** The bin's entry (bin/extract-runner.js): the exit code, a usage or configuration error as one line on stderr. */
export function main(argv: string[], output: CommandOutput = process): Promise<number> {
  return exitCodeOf(EXTRACT_RUNNER_COMMAND, runRunner, argv, output);
}
