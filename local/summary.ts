// One run's summary, read from the tracking table: what `npm start` prints when a run ends and what
// `npm run status -- --run-id R` prints later. Both go through here so the two can never disagree.
import type { S3Client } from '@aws-sdk/client-s3';
import type { TableStatus } from '../functions/lib/jobs/job-outcome';
import { runTables } from '../functions/lib/runs/run-tables';
import type { RunTableEntry } from '../functions/lib/tracking/close-unrecorded-tables';
import { type RunRecord, type RunStatus, type TableRecord } from '../functions/lib/tracking/tracking-records';
import { listRunTables, readRunRecord, type TrackingStore } from '../functions/lib/tracking/tracking-store';
import { describeWaiting, type Waiting } from './waiting-tables';

export { readRunRecord };

export interface TableSummary {
  table: string;
  jobType: string;
  status: TableStatus;
  /** Job run attempts as the service reports them (Glue's own retries count; a throttled start does not). */
  attempts: number;
  /** Times the state machine retried the job state (throttling, transient errors), when the run was watched. */
  retries?: number;
  durationSeconds?: number;
  /** The service's id of the job run: Glue JobRunId, EMR Serverless jobRunId, ECS task ARN, runner attempt id. */
  jobRunId?: string;
  /** A runner table whose task waits in its worker group's queue (`npm run status` reads the task queue). */
  waiting?: Waiting;
  error?: string;
  cause?: string;
  /** Watermark tables: the high-water mark stored by this run, or why it did not move. */
  watermark?: string;
  watermarkWarning?: string;
}

export interface RunCounts {
  tables: number;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
  /** Not finished yet: queued or running. */
  pending: number;
}

export interface RunSummary {
  runId: string;
  status: RunStatus;
  executionName?: string;
  trigger?: string;
  configKey?: string;
  /** The file the config was uploaded from, when the command knows it (`npm start --config`). */
  configFile?: string;
  startedAt?: string;
  endedAt?: string;
  /** Why the run failed as a whole (an invalid event or config), as the config manager recorded it. */
  error?: string;
  cause?: string;
  /** The run this one re-runs. */
  rerunOf?: string;
  /** The runs that re-ran this one (the newest 100), and how many there were in all. */
  reruns?: string[];
  rerunCount?: number;
  counts: RunCounts;
  tables: TableSummary[];
  /**
   * Why a RUNNING run's tables without a record are counted but not named: its table list could not be read (an
   * operator without s3:GetObject on the config bucket, a list removed by a lifecycle rule).
   */
  tableListError?: string;
}

export function countTables(statuses: TableStatus[], tableCount = statuses.length): RunCounts {
  const count = (status: TableStatus) => statuses.filter((s) => s === status).length;
  const finished = count('SUCCEEDED') + count('FAILED') + count('SKIPPED') + count('CANCELLED');
  return {
    tables: Math.max(tableCount, statuses.length),
    succeeded: count('SUCCEEDED'),
    failed: count('FAILED'),
    skipped: count('SKIPPED'),
    cancelled: count('CANCELLED'),
    pending: Math.max(tableCount, statuses.length) - finished,
  };
}

/**
 * The run's summary from its records; `unrecorded` are the tables of its list that have none yet (a table's record
 * is written with its outcome), shown PENDING.
 */
export function summarizeRun(
  run: RunRecord,
  records: TableRecord[],
  retries: Record<string, number> = {},
  unrecorded: RunTableEntry[] = [],
): RunSummary {
  const pending = unrecorded.map((entry): TableSummary => ({
    table: entry.table,
    jobType: entry.job_type,
    status: 'PENDING',
    attempts: 0,
  }));
  const tables = records
    .map((record): TableSummary => ({
      table: record.table,
      jobType: record.job_type,
      status: record.status,
      attempts: record.attempts ?? 0,
      ...(record.table in retries ? { retries: retries[record.table] } : {}),
      ...(record.duration_seconds !== undefined ? { durationSeconds: record.duration_seconds } : {}),
      ...(record.job_run_id ? { jobRunId: record.job_run_id } : {}),
      ...(record.error ? { error: record.error } : {}),
      ...(record.cause ? { cause: record.cause } : {}),
      ...(record.watermark_to ? { watermark: record.watermark_to } : {}),
      ...(record.watermark_warning ? { watermarkWarning: record.watermark_warning } : {}),
    }))
    .concat(pending)
    .sort((a, b) => a.table.localeCompare(b.table));
  return {
    runId: run.run_id,
    status: run.status,
    executionName: run.execution_name,
    trigger: run.trigger,
    configKey: run.config_key,
    startedAt: run.started_at,
    ...(run.ended_at ? { endedAt: run.ended_at } : {}),
    ...(run.error ? { error: run.error } : {}),
    ...(run.cause ? { cause: run.cause } : {}),
    ...(run.rerun_of ? { rerunOf: run.rerun_of } : {}),
    ...(run.reruns?.length ? { reruns: run.reruns, rerunCount: run.rerun_count ?? run.reruns.length } : {}),
    counts: countTables(
      tables.map((t) => t.status),
      run.table_count,
    ),
    tables,
  };
}

/**
 * The run's summary, or undefined when the tracking table has no such run. With `s3`, a RUNNING run's tables without
 * a record are read from its table list and listed PENDING; without, they are only counted (table_count less the
 * records).
 */
export async function readRunSummary(
  store: TrackingStore,
  runId: string,
  retries?: Record<string, number>,
  s3?: S3Client,
): Promise<RunSummary | undefined> {
  const run = await readRunRecord(store, runId);
  if (!run) return undefined;
  const records = await listRunTables(store, runId);
  const list = run.status === 'RUNNING' && s3 ? runTables(s3, run) : undefined;
  const unrecorded: RunTableEntry[] = [];
  if (list) {
    const recorded = new Set(records.map((r) => r.table));
    try {
      for await (const entry of list) if (!recorded.has(entry.table)) unrecorded.push(entry);
    } catch (error) {
      // The records are still worth showing: the tables without one are counted from table_count instead.
      const { bucket, key } = run.table_list!;
      const { name, message } = error as Error;
      const tableListError = `the run's table list (s3://${bucket}/${key}) could not be read, so its tables without a record are counted, not named: ${name}: ${message}`;
      return { ...summarizeRun(run, records, retries), tableListError };
    }
  }
  return summarizeRun(run, records, retries, unrecorded);
}

/**
 * The summary with the config's key replaced by the file it was uploaded from (`--config /tmp/x.yml`) in every
 * error and cause, so a config error names the file the user can open and fix.
 */
export function nameConfigFile(summary: RunSummary, file: string): RunSummary {
  const key = summary.configKey;
  if (!key) return summary;
  const name = (text: string | undefined) => text?.split(key).join(file);
  const named = <T extends { error?: string; cause?: string }>(item: T): T => ({
    ...item,
    ...(item.error ? { error: name(item.error) } : {}),
    ...(item.cause ? { cause: name(item.cause) } : {}),
  });
  return { ...named(summary), configFile: file, tables: summary.tables.map(named) };
}

/** The object `--json` prints: the documented fields first, the rest after. */
export function summaryJson(summary: RunSummary): string {
  const { runId, status, tables, ...rest } = summary;
  return JSON.stringify({ runId, status, tables, ...rest });
}

/** Lines of at most `width` characters, broken at spaces (a longer word is cut); the text's own lines are kept. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.trim().split(/\r?\n/)) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      for (let rest = word; rest;) {
        const room = line ? width - line.length - 1 : width;
        if (rest.length <= room) {
          line = line ? `${line} ${rest}` : rest;
          rest = '';
        } else if (line) {
          lines.push(line);
          line = '';
        } else {
          lines.push(rest.slice(0, width));
          rest = rest.slice(width);
        }
      }
    }
    lines.push(line);
  }
  return lines;
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** Past this many tables (or --limit) the human summary lists the ones that need attention and counts the rest. */
export const SUMMARY_TABLE_LIMIT = 50;
const SUMMARY_WIDTH = 120;
const MIN_LAST_COLUMN_WIDTH = 40;
/** Failed first, then stopped, then unfinished; the tables that need no attention last. */
const SHOWN_FIRST: Record<TableStatus, number> = {
  FAILED: 0,
  CANCELLED: 1,
  PENDING: 2,
  SKIPPED: 3,
  SUCCEEDED: 4,
};
const NEEDS_ATTENTION = SHOWN_FIRST.PENDING;

/** A run's tables failed first (then cancelled, unfinished, skipped, succeeded), by name within a status. */
export function failedFirst(tables: TableSummary[]): TableSummary[] {
  return [...tables].sort(
    (a, b) => SHOWN_FIRST[a.status] - SHOWN_FIRST[b.status] || a.table.localeCompare(b.table),
  );
}

/** Columns padded to their widest cell; the last column is wrapped at `width` characters per line, its
 * continuation lines indented under it, so long errors are shown whole. */
export function formatTable(header: string[], rows: string[][], width = SUMMARY_WIDTH): string {
  const last = header.length - 1;
  const widths = header.map((title, column) =>
    column === last ? 0 : Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const indent = widths.slice(0, last).reduce((sum, w) => sum + w + 2, 0);
  const lastWidth = Math.max(MIN_LAST_COLUMN_WIDTH, width - indent);
  const line = (cells: string[]) => {
    const [first = '', ...more] = wrapText(cells[last]!, lastWidth);
    const head = cells
      .map((cell, column) => (column === last ? first : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
    return [head, ...more.map((text) => `${' '.repeat(indent)}${text}`)].join('\n');
  };
  const rule = header.map((title, column) =>
    '-'.repeat(
      column === last
        ? Math.max(title.length, ...rows.map((row) => Math.min(row[column]!.length, lastWidth)))
        : widths[column]!,
    ),
  );
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}

function indented(text: string | undefined, prefix = '  '): string[] {
  return wrapText(text ?? '', SUMMARY_WIDTH - prefix.length).map((line) => `${prefix}${line}`);
}

/** Where a run stands among its re-runs: the run it re-runs, and the runs that re-ran it. */
function rerunLinks(summary: RunSummary): string[] {
  const lines = summary.rerunOf ? [`  Re-run of ${summary.rerunOf}`] : [];
  if (summary.reruns?.length) {
    const unlisted = (summary.rerunCount ?? 0) - summary.reruns.length;
    lines.push(
      `  Re-run by ${summary.reruns.join(', ')}` + (unlisted > 0 ? ` (and ${unlisted} earlier)` : ''),
    );
  }
  return lines;
}

export interface SummaryOptions {
  /** At most this many table rows (default SUMMARY_TABLE_LIMIT). */
  limit?: number;
  /** Only tables with this status (`npm run status -- --run-id R --status FAILED`). */
  status?: TableStatus;
  /** What "queued 3m ago" is counted from (default: now). */
  nowMs?: number;
}

function countsLine(counts: RunCounts, waiting: number): string {
  return (
    `${counts.succeeded} of ${counts.tables} tables succeeded` +
    (counts.failed ? `, ${counts.failed} failed` : '') +
    (counts.cancelled ? `, ${counts.cancelled} cancelled` : '') +
    (counts.skipped ? `, ${counts.skipped} skipped` : '') +
    (counts.pending ? `, ${counts.pending} not finished` : '') +
    (waiting ? ` (${waiting} waiting for a runner)` : '')
  );
}

/**
 * The rows to show: every table up to the limit; past it the tables that need attention (failed, cancelled,
 * unfinished), failed first, up to the limit. With a status filter, that status's tables by name.
 */
function shownTables(summary: RunSummary, options: SummaryOptions): TableSummary[] {
  const limit = options.limit ?? SUMMARY_TABLE_LIMIT;
  if (options.status) return summary.tables.filter((t) => t.status === options.status).slice(0, limit);
  if (summary.tables.length <= limit) return summary.tables;
  return failedFirst(summary.tables)
    .filter((t) => SHOWN_FIRST[t.status] <= NEEDS_ATTENTION)
    .slice(0, limit);
}

/** "60 succeeded, 2 failed": the statuses of tables left out of the list. */
function describeLeftOut(tables: TableSummary[]): string {
  const order = Object.keys(SHOWN_FIRST).reverse() as TableStatus[];
  return order
    .map((status) => [status, tables.filter((t) => t.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status === 'PENDING' ? 'not finished' : status.toLowerCase()}`)
    .join(', ');
}

/** The job run id on the cell's first line, then the error and its cause whole (wrapped, never cut). */
function jobRunAndError(t: TableSummary, nowMs: number): string {
  if (t.waiting) return describeWaiting(t.waiting, nowMs);
  const error = t.error ? `${t.error}${t.cause ? `: ${t.cause}` : ''}` : (t.cause ?? '');
  return [t.jobRunId, error].filter(Boolean).join('\n');
}

export function formatSummary(summary: RunSummary, options: SummaryOptions = {}): string {
  const { counts } = summary;
  // A run that failed as a whole (bad event, bad config) has no tables to count: its reason is the news.
  if (summary.error && summary.tables.length === 0)
    return [
      `Run ${summary.runId}: ${summary.status} — ${summary.error}:`,
      ...indented(summary.cause),
      ...rerunLinks(summary),
    ].join('\n');
  const lines = [
    `Run ${summary.runId}: ${summary.status} — ${countsLine(counts, summary.tables.filter((t) => t.waiting).length)}`,
    ...rerunLinks(summary),
  ];
  if (summary.error) lines.push(`  ${summary.error}:`, ...indented(summary.cause, '    '));
  if (summary.tableListError) lines.push(...indented(`Note: ${summary.tableListError}`));
  if (summary.tables.length > 0) {
    const shown = shownTables(summary, options);
    if (shown.length > 0)
      lines.push(
        '',
        formatTable(
          ['table', 'job type', 'status', 'attempts', 'duration', 'job run id / error'],
          shown.map((t) => [
            t.table,
            t.jobType,
            t.waiting ? 'WAITING' : t.status,
            t.retries ? `${t.attempts} (${t.retries} retried)` : String(t.attempts),
            formatDuration(t.durationSeconds),
            jobRunAndError(t, options.nowMs ?? Date.now()),
          ]),
        ),
      );
    else if (options.status) lines.push('', `No ${options.status} tables.`);
    const shownSet = new Set(shown);
    const leftOut = summary.tables.filter(
      (t) => !shownSet.has(t) && (!options.status || t.status === options.status),
    );
    if (leftOut.length > 0)
      lines.push(
        `… and ${leftOut.length} more tables (${describeLeftOut(leftOut)}): ` +
          `npm run status -- --run-id ${summary.runId} --json lists every table`,
      );
  }
  return lines.join('\n');
}
