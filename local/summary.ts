// One run's summary, read from the tracking table: what `npm start` prints when a run ends and what
// `npm run status -- --run-id R` prints later. Both go through here so the two can never disagree.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TableStatus } from '../functions/lib/jobs/job-outcome';
import {
  runKey,
  type RunRecord,
  type RunStatus,
  type TableRecord,
} from '../functions/lib/tracking/tracking-records';
import { listRunTables, type TrackingStore } from '../functions/lib/tracking/tracking-store';

export interface TableSummary {
  table: string;
  jobType: string;
  status: TableStatus;
  /** Job run attempts as the service reports them (Glue's own retries count; a throttled start does not). */
  attempts: number;
  /** Times the state machine retried the job state (throttling, transient errors), when the run was watched. */
  retries?: number;
  durationSeconds?: number;
  error?: string;
  cause?: string;
}

export interface RunCounts {
  tables: number;
  succeeded: number;
  failed: number;
  skipped: number;
  /** Not finished yet: queued or running. */
  pending: number;
}

export interface RunSummary {
  runId: string;
  status: RunStatus;
  executionName?: string;
  trigger?: string;
  configKey?: string;
  startedAt?: string;
  endedAt?: string;
  /** Why the run failed as a whole (an invalid event or config), as the config manager recorded it. */
  error?: string;
  cause?: string;
  counts: RunCounts;
  tables: TableSummary[];
}

export function countTables(statuses: TableStatus[], tableCount = statuses.length): RunCounts {
  const count = (status: TableStatus) => statuses.filter((s) => s === status).length;
  const finished = count('SUCCEEDED') + count('FAILED') + count('SKIPPED');
  return {
    tables: Math.max(tableCount, statuses.length),
    succeeded: count('SUCCEEDED'),
    failed: count('FAILED'),
    skipped: count('SKIPPED'),
    pending: Math.max(tableCount, statuses.length) - finished,
  };
}

export async function readRunRecord(store: TrackingStore, runId: string): Promise<RunRecord | undefined> {
  const response = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: runKey(runId), ConsistentRead: true }),
  );
  return response.Item as RunRecord | undefined;
}

export function summarizeRun(
  run: RunRecord,
  records: TableRecord[],
  retries: Record<string, number> = {},
): RunSummary {
  const tables = records
    .map((record): TableSummary => ({
      table: record.table,
      jobType: record.job_type,
      status: record.status,
      attempts: record.attempts ?? 0,
      ...(record.table in retries ? { retries: retries[record.table] } : {}),
      ...(record.duration_seconds !== undefined ? { durationSeconds: record.duration_seconds } : {}),
      ...(record.error ? { error: record.error } : {}),
      ...(record.cause ? { cause: record.cause } : {}),
    }))
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
    counts: countTables(
      records.map((r) => r.status),
      run.table_count,
    ),
    tables,
  };
}

/** The run's summary, or undefined when the tracking table has no such run. */
export async function readRunSummary(
  store: TrackingStore,
  runId: string,
  retries?: Record<string, number>,
): Promise<RunSummary | undefined> {
  const run = await readRunRecord(store, runId);
  if (!run) return undefined;
  return summarizeRun(run, await listRunTables(store, runId), retries);
}

/** The object `--json` prints: the documented fields first, the rest after. */
export function summaryJson(summary: RunSummary): string {
  const { runId, status, tables, ...rest } = summary;
  return JSON.stringify({ runId, status, tables, ...rest });
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

export function formatSummary(summary: RunSummary): string {
  const { counts } = summary;
  // A run that failed as a whole (bad event, bad config) has no tables to count: its reason is the news.
  if (summary.error && summary.tables.length === 0)
    return `Run ${summary.runId}: ${summary.status} — ${summary.error}: ${oneLine(summary.cause ?? '', 400)}`;
  const lines = [
    `Run ${summary.runId}: ${summary.status} — ${counts.succeeded} of ${counts.tables} tables succeeded` +
      (counts.failed ? `, ${counts.failed} failed` : '') +
      (counts.skipped ? `, ${counts.skipped} skipped` : '') +
      (counts.pending ? `, ${counts.pending} not finished` : ''),
  ];
  if (summary.error) lines.push(`  ${summary.error}: ${oneLine(summary.cause ?? '', 400)}`);
  if (summary.tables.length > 0) {
    lines.push(
      '',
      formatTable(
        ['table', 'job type', 'status', 'attempts', 'duration', 'error'],
        summary.tables.map((t) => [
          t.table,
          t.jobType,
          t.status,
          t.retries ? `${t.attempts} (${t.retries} retried)` : String(t.attempts),
          formatDuration(t.durationSeconds),
          t.error ? oneLine(`${t.error}${t.cause ? `: ${t.cause}` : ''}`, 100) : '',
        ]),
      ),
    );
  }
  return lines.join('\n');
}
