// `npm run status`: the runs in a tracking table, newest first with their counts; one run's table records
// (failed first past the limit, with each table's job run id and whole error); one table's history across runs;
// with --runners, the self-hosted task runners that reported a heartbeat recently, per worker group.
// Local by default (the serve instance in .local/endpoints.json, or its data folder when serve is stopped);
// `--stage S` reads the deployed stage's tables with the default AWS credential chain.
//
//   npm run status -- [--run-id R | --table T | --runners [--worker-group G]] [--status S] [--limit N] [--json]
//                     [--stage S] [--data-dir dir]
import '../polyfills';
import type { TableStatus } from '../../functions/lib/jobs/job-outcome';
import { RUN_STATUSES, TABLE_STATUSES, type RunStatus } from '../../functions/lib/tracking/tracking-records';
import { listLiveRunners } from '../../functions/lib/task-runner/runner-heartbeats';
import {
  formatDuration,
  formatSummary,
  formatTable,
  readRunSummary,
  summaryJson,
  SUMMARY_TABLE_LIMIT,
  type RunSummary,
} from '../summary';
import { findWaitingTables } from '../waiting-tables';
import {
  CommandError,
  helpText,
  parseCommandLine,
  runMain,
  UsageError,
  type CommandOutput,
  type CommandSpec,
} from '../../cli/command-line';
import { DEFAULT_DATA_DIR } from '../stack/endpoints-file';
import { listRuns, tableHistory } from '../list-runs';
import { openTables, type OpenTables } from '../serve/open-tables';

/** Runs and a table's history list this many by default; a run's tables SUMMARY_TABLE_LIMIT. */
const DEFAULT_LIST_LIMIT = 20;

export const STATUS_COMMAND = {
  name: 'npm run status',
  synopsis: [
    'npm run status -- [--status <status>] [--limit <n>] [--json] [--stage <stage> | --data-dir <dir>]',
    'npm run status -- --run-id <id> [--status <status>] [--limit <n>] [--json] [--stage <stage> | --data-dir <dir>]',
    'npm run status -- --table <name> [--status <status>] [--limit <n>] [--json] [--stage <stage> | --data-dir <dir>]',
    'npm run status -- --runners [--worker-group <group>] [--json] [--stage <stage> | --data-dir <dir>]',
  ],
  options: {
    'run-id': {
      type: 'string',
      value: '<id>',
      description: "one run's table records, failed first past the limit, instead of the list of runs",
    },
    table: {
      type: 'string',
      value: '<name>',
      description: "one table's records across runs, newest run first",
    },
    status: {
      type: 'string',
      value: '<status>',
      description: `only runs (${RUN_STATUSES.join(', ')}) or tables (${TABLE_STATUSES.join(', ')}) in this status`,
    },
    limit: {
      type: 'string',
      value: '<n>',
      description: `how many runs or history records to list (default ${DEFAULT_LIST_LIMIT}), or a run's tables (default ${SUMMARY_TABLE_LIMIT})`,
    },
    runners: {
      type: 'boolean',
      default: false,
      description: 'the live task runners per worker group instead of runs',
    },
    'worker-group': {
      type: 'string',
      value: '<group>',
      description: 'with --runners: only this worker group',
    },
    json: { type: 'boolean', default: false, description: 'print one JSON object on stdout' },
    stage: {
      type: 'string',
      value: '<stage>',
      description:
        "a deployed stage's tables (region from config/<stage>.yml, AWS credentials from the default chain)",
    },
    'data-dir': {
      type: 'string',
      value: '<dir>',
      default: DEFAULT_DATA_DIR,
      description: "serve mode's data folder (default: .local), read directly while serve is stopped",
    },
  },
} satisfies CommandSpec;

type Options = ReturnType<typeof parseCommandLine<typeof STATUS_COMMAND.options>>['values'];

function limitOption(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit: not a positive number (${value})`);
  return limit;
}

/** The --status value, checked against the statuses of what is listed (runs, or tables). */
function statusOption<S extends string>(
  value: string | undefined,
  known: readonly S[],
  of: string,
): S | undefined {
  if (value === undefined) return undefined;
  const status = value.toUpperCase() as S;
  if (!known.includes(status))
    throw new UsageError(`--status: ${of} have no status ${value} (one of ${known.join(', ')})`);
  return status;
}

const utc = (iso: string | undefined) => (iso ? iso.replace('T', ' ').slice(0, 19) : '');

async function printRunners(options: Options, opened: OpenTables, output: CommandOutput): Promise<void> {
  const runners = await listLiveRunners(options['worker-group'], {
    documentClient: opened.db,
    tableName: opened.taskQueueTable,
    now: Date.now,
  });
  if (options.json) output.stdout.write(`${JSON.stringify({ runners })}\n`);
  else if (runners.length === 0) output.stdout.write(`No live runners in ${opened.taskQueueTable}\n`);
  else {
    const rows = runners.map((r) => [r.workerGroup ?? '', r.taskrunnerId, r.hostname ?? '', r.lastSeenAt]);
    output.stdout.write(`${formatTable(['worker group', 'runner', 'hostname', 'last seen (UTC)'], rows)}\n`);
  }
}

/** A running run's runner tables that wait in their worker group's queue, marked so. */
async function withWaitingTables(summary: RunSummary, opened: OpenTables): Promise<RunSummary> {
  const waiting = await findWaitingTables(summary.runId, summary.tables, {
    documentClient: opened.db,
    tableName: opened.taskQueueTable,
    now: Date.now,
  });
  if (waiting.size === 0) return summary;
  return {
    ...summary,
    tables: summary.tables.map((t) => (waiting.has(t.table) ? { ...t, waiting: waiting.get(t.table)! } : t)),
  };
}

async function printRun(options: Options, opened: OpenTables, output: CommandOutput): Promise<void> {
  const runId = options['run-id']!;
  const status = statusOption<TableStatus>(options.status, TABLE_STATUSES, 'tables');
  const limit = limitOption(options.limit, SUMMARY_TABLE_LIMIT);
  const found = await readRunSummary(opened.store, runId, undefined, opened.s3);
  if (!found) throw new CommandError(`--run-id: no run ${runId} in ${opened.where}`);
  const summary = found.status === 'RUNNING' ? await withWaitingTables(found, opened) : found;
  if (options.json) {
    // The records themselves, every one (or every one of the status): --limit shapes the human list only.
    const tables = status ? summary.tables.filter((t) => t.status === status) : summary.tables;
    output.stdout.write(`${summaryJson({ ...summary, tables })}\n`);
  } else output.stdout.write(`${formatSummary(summary, { limit, ...(status ? { status } : {}) })}\n`);
}

async function printTableHistory(options: Options, opened: OpenTables, output: CommandOutput): Promise<void> {
  const table = options.table!;
  const status = statusOption<TableStatus>(options.status, TABLE_STATUSES, 'tables');
  const limit = limitOption(options.limit, DEFAULT_LIST_LIMIT);
  const history = await tableHistory(opened.store, table, limit, status);
  if (options.json) {
    output.stdout.write(`${JSON.stringify({ table, records: history.records, more: history.more })}\n`);
    return;
  }
  if (history.records.length === 0) {
    output.stdout.write(`No ${status ? `${status} ` : ''}records of table ${table} in ${opened.where}\n`);
    return;
  }
  const rows = history.records.map((r) => [
    r.run_id,
    utc(r.run_started_at),
    r.status,
    r.job_type,
    String(r.attempts ?? 0),
    formatDuration(r.duration_seconds),
    [r.job_run_id, r.error ? `${r.error}${r.cause ? `: ${r.cause}` : ''}` : r.cause]
      .filter(Boolean)
      .join('\n'),
  ]);
  const header = [
    'run id',
    'run started (UTC)',
    'status',
    'job type',
    'attempts',
    'duration',
    'job run id / error',
  ];
  output.stdout.write(`Table ${table}: newest run first\n\n${formatTable(header, rows)}\n`);
  if (history.more)
    output.stdout.write(
      `… older runs not shown: --limit ${limit * 2} lists more, --json gives the records\n`,
    );
}

async function printRuns(options: Options, opened: OpenTables, output: CommandOutput): Promise<void> {
  const status = statusOption<RunStatus>(options.status, RUN_STATUSES, 'runs');
  const runs = await listRuns(opened.store, limitOption(options.limit, DEFAULT_LIST_LIMIT), status);
  if (options.json) {
    output.stdout.write(`${JSON.stringify({ runs })}\n`);
    return;
  }
  if (runs.length === 0) {
    output.stdout.write(`No ${status ? `${status} ` : ''}runs in ${opened.where}\n`);
    return;
  }
  const rows = runs.map((run) => [
    run.runId,
    run.status,
    utc(run.startedAt),
    run.trigger ?? '',
    String(run.counts.tables),
    String(run.counts.succeeded),
    String(run.counts.failed),
    String(run.counts.cancelled),
    String(run.counts.pending),
    run.error ?? '',
  ]);
  const header = [
    'run id',
    'status',
    'started (UTC)',
    'trigger',
    'tables',
    'succeeded',
    'failed',
    'cancelled',
  ];
  output.stdout.write(`${formatTable([...header, 'running', 'error'], rows)}\n`);
}

export async function statusCommand(args: string[], output: CommandOutput): Promise<number> {
  const { values: options } = parseCommandLine(STATUS_COMMAND, args);
  if (options.help) {
    output.stdout.write(helpText(STATUS_COMMAND));
    return 0;
  }
  const modes = (['run-id', 'table', 'runners'] as const).filter((name) => options[name]);
  if (modes.length > 1) throw new UsageError(`--${modes[0]} and --${modes[1]}: use one of them`);
  if (options.runners && options.status) throw new UsageError('--status: not with --runners');
  // Checked before anything is opened: a bad value is a usage error whatever the tables hold.
  limitOption(options.limit, 1);
  if (options['run-id'] || options.table) statusOption(options.status, TABLE_STATUSES, 'tables');
  else statusOption(options.status, RUN_STATUSES, 'runs');
  const opened = await openTables({ stage: options.stage, dataDir: options['data-dir']! });
  try {
    if (options.runners) await printRunners(options, opened, output);
    else if (options['run-id']) await printRun(options, opened, output);
    else if (options.table) await printTableHistory(options, opened, output);
    else await printRuns(options, opened, output);
    return 0;
  } finally {
    await opened.close();
  }
}

if (require.main === module) runMain(STATUS_COMMAND, statusCommand);
