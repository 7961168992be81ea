// `npm start`: one extract run of the real state machine and handlers on this machine, no AWS account.
// Standalone, it starts S3 and DynamoDB in-process on temporary folders, uploads the extract config and runs;
// a config with runner tables also gets the task-runner endpoint on 127.0.0.1 and one bundled runner CLI per
// worker group, which run the tables' commands;
// when a serve instance is up (.local/endpoints.json answers) the run starts there instead and is followed
// through its tracking table; a re-run (--rerun-of) runs only there, where the earlier run's records are.
// Progress goes to stderr, the summary to stdout; exit 0 only if every table succeeded.
//
//   npm start -- [--tables a,b | --data '<event JSON>' | --rerun-of R [--include-skipped] [--all-tables]]
//                [--config file] [--mock file] [--json] [--standalone] [--data-dir dir] [--verbose]
//                [--max-tables n]
import '../polyfills';
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { readMockFile } from '../runtime/mock-file';
import { ProgressLine } from '../progress';
import { formatSummary, nameConfigFile, summaryJson, type RunSummary } from '../summary';
import { sendStdoutToStderr } from '../stdout-to-stderr';
import {
  CommandError,
  helpText,
  parseCommandLine,
  runMain,
  type CommandOutput,
  type CommandSpec,
  UsageError,
} from '../../cli/command-line';
import { DEFAULT_DATA_DIR } from '../stack/endpoints-file';
import { runLocally, runSucceeded, uploadConfig } from '../runtime/run-locally';
import { startLocalRunners } from '../stack/local-runners';
import { startLocalStack, type LocalStack } from '../stack/local-stack';
import { buildRunEvent } from './build-run-event';
import { SAMPLE_CONFIG, SAMPLE_MOCK } from './samples';
import { findServeInstance, followRemoteRun, startRemoteRun } from '../serve/serve-client';
import { runnerWorkerGroups, startLocalTaskRunner } from '../stack/task-runner-endpoint';
import { LocalTaskTokens } from '../runtime/task-token-bridge';

export const START_COMMAND = {
  name: 'npm start',
  synopsis: [
    'npm start -- [--tables a,b | --data <JSON> | --rerun-of <run id>] [--config <file>] [--mock <file>] [--json] [options]',
  ],
  options: {
    tables: {
      type: 'string',
      value: 'a,b,c',
      description: 'extract only these tables (default: every table in the config)',
    },
    data: {
      type: 'string',
      value: "'<JSON>'",
      description: `the state machine input, e.g. '{"tables_to_extract":["sales.orders"],"run_id":"r1"}'`,
    },
    'rerun-of': {
      type: 'string',
      value: '<run id>',
      description:
        "re-run the tables of that run that did not succeed, on the serve instance that has the run's records",
    },
    'include-skipped': {
      type: 'boolean',
      default: false,
      description: 'with --rerun-of: the SKIPPED tables too (the event\'s "include_skipped": true)',
    },
    'all-tables': {
      type: 'boolean',
      default: false,
      description: 'with --rerun-of: every table of that run (the event\'s "only_failed": false)',
    },
    config: {
      type: 'string',
      value: '<file>',
      description: 'extract config to run (default: local/sample/extract-config.yml)',
    },
    'full-refresh': {
      type: 'boolean',
      default: false,
      description: 'watermark tables start from nothing (the event\'s "full_refresh": true)',
    },
    mock: {
      type: 'string',
      value: '<file>',
      description: 'job outcomes per table (default: local/sample/mock.yml)',
    },
    json: { type: 'boolean', default: false, description: 'print the summary as one JSON object on stdout' },
    standalone: {
      type: 'boolean',
      default: false,
      description: 'run in-process even if a serve instance is up',
    },
    'data-dir': {
      type: 'string',
      value: '<dir>',
      default: DEFAULT_DATA_DIR,
      description: 'where a serve instance keeps endpoints.json (default: .local)',
    },
    verbose: {
      type: 'boolean',
      default: false,
      description: "the handlers' and runners' logs and the runner commands' output, on stderr",
    },
    'max-tables': {
      type: 'string',
      value: '<n>',
      description: "standalone: raise the local stage's maxTablesPerRun (config/local.yml) for this run",
    },
  },
  notes: `Progress and logs go to stderr; stdout carries only the summary. Exit 0 only if every table succeeded,
1 if a table or the run failed, 2 for a usage error.`,
} satisfies CommandSpec;

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CommandError(`--config ${file}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
}

function parseMaxTables(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value))
    throw new UsageError(`--max-tables: a whole number above 0, not '${value}'`);
  return Number(value);
}

/** Runner tables: the real endpoint, a local key granted their worker groups, one runner CLI per group. */
async function startRunners(
  stack: LocalStack,
  taskTokens: LocalTaskTokens,
  workerGroups: string[],
  verbose: boolean,
  closers: (() => Promise<void>)[],
  log: (line: string) => void,
): Promise<void> {
  if (workerGroups.length === 0) return;
  const taskRunner = await startLocalTaskRunner(stack, { callbacks: taskTokens, workerGroups });
  closers.push(() => taskRunner.close());
  const runners = startLocalRunners({
    endpoint: taskRunner.endpoint,
    credentials: taskRunner.credentials,
    workerGroups,
    verbose,
    log,
  });
  closers.push(() => runners.stop());
}

/** A standalone run starts from an empty tracking table: the run to re-run is in a serve instance's. */
function rerunNeedsServe(
  runId: string,
  options: { standalone?: boolean; 'data-dir'?: string; 'rerun-of'?: string },
): CommandError {
  const field = options['rerun-of'] ? '--rerun-of' : 'rerun_of';
  const where = options.standalone
    ? 'drop --standalone to run it on the serve instance'
    : `no serve instance answers for ${options['data-dir']}: start it (npm run serve) and try again`;
  return new CommandError(
    `${field} ${runId}: a re-run reads that run's records in the serve instance's tracking table (a standalone run starts from an empty one); ${where}`,
  );
}

export async function startCommand(args: string[], output: CommandOutput): Promise<number> {
  const { values: options } = parseCommandLine(START_COMMAND, args);
  if (options.help) {
    output.stdout.write(helpText(START_COMMAND));
    return 0;
  }
  // Everything the user gave is checked before anything starts.
  const event = buildRunEvent(options);
  const maxTables = parseMaxTables(options['max-tables']);
  const script = readMockFile(options.mock ?? SAMPLE_MOCK);
  const progress = new ProgressLine(output.stderr);

  let summary: RunSummary;
  const serve = options.standalone ? undefined : await findServeInstance(options['data-dir']!);
  if (!serve && typeof event.rerun_of === 'string') throw rerunNeedsServe(event.rerun_of, options);
  // Only the summary goes to stdout; the handlers' logs (Powertools writes to process.stdout) go to stderr.
  const restoreStdout = sendStdoutToStderr();
  try {
    if (serve) {
      if (maxTables) throw new UsageError('--max-tables: only for a standalone run; add --standalone');
      output.stderr.write(`Starting the run on the serve instance at ${serve.control}\n`);
      const config = options.config
        ? { name: basename(options.config), text: readConfigFile(options.config) }
        : undefined;
      const started = await startRemoteRun(serve, {
        event,
        config,
        ...(options.mock ? { mock: script } : {}),
      });
      output.stderr.write(`Run ${started.runId} (execution ${started.executionName})\n`);
      summary = await followRemoteRun(serve, started, (counts) => progress.update(counts));
    } else {
      const configText = readConfigFile(options.config ?? SAMPLE_CONFIG);
      const stack = await startLocalStack({
        verbose: options.verbose,
        inProcessDynamoDb: true,
        ...(maxTables ? { stageSettings: { maxTablesPerRun: maxTables } } : {}),
      });
      const closers: (() => Promise<void>)[] = [() => stack.close()];
      try {
        const key = typeof event.config_key === 'string' ? event.config_key : stack.names.defaultConfigKey;
        await uploadConfig(stack.s3, stack.names.configBucket, key, configText);
        const taskTokens = new LocalTaskTokens();
        await startRunners(
          stack,
          taskTokens,
          runnerWorkerGroups(configText, key),
          options.verbose!,
          closers,
          (line) => output.stderr.write(`${line}\n`),
        );
        const result = await runLocally(stack, {
          input: event,
          script,
          taskTokens,
          keepEvents: false,
          onProgress: (counts) => progress.update(counts),
        });
        summary = result.summary;
      } finally {
        for (const close of closers.reverse()) await close();
      }
    }
  } finally {
    restoreStdout();
  }
  progress.finish();
  // Errors about the config name the file it came from, not the key it was uploaded under.
  const configFile = options.config ?? (serve ? undefined : relative(process.cwd(), SAMPLE_CONFIG));
  if (configFile) summary = nameConfigFile(summary, configFile);

  output.stdout.write(`${options.json ? summaryJson(summary) : formatSummary(summary)}\n`);
  if (summary.error && options.json) {
    // With --json the reader may only parse stdout; the reason still lands on the terminal.
    output.stderr.write(`Run ${summary.runId} FAILED: ${summary.error}: ${summary.cause ?? ''}\n`);
  }
  return runSucceeded(summary) ? 0 : 1;
}

if (require.main === module) runMain(START_COMMAND, startCommand);
