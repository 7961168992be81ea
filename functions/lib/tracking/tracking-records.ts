// The extract tracking table's single-table layout. One partition per run holds the run record and a record per
// table with an outcome, so "every recorded table of run R" is one Query (the run's table list in S3 has the
// others); two sparse indexes answer the other questions:
//   base table  pk = RUN#<run_id>          sk = RUN | TABLE#<table>
//   by-table    gsi1pk = TABLE#<table>     gsi1sk = <run started_at>#<run_id>   (history of table T)
//   by-status   gsi2pk = RUNS#<status>     gsi2sk = <run started_at>#<run_id>   (runs by status; run records only)
import type { TableStatus } from '../jobs/job-outcome';

/** CANCELLED: the execution was stopped; its unfinished tables are CANCELLED (functions/lib/runs/cancel-run.ts). */
export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
export const TABLE_STATUSES: readonly TableStatus[] = [
  'PENDING',
  'SUCCEEDED',
  'FAILED',
  'SKIPPED',
  'CANCELLED',
];

export interface RunKey {
  pk: string;
  sk: 'RUN';
}

export interface RunRecord extends RunKey {
  entity: 'run';
  run_id: string;
  status: RunStatus;
  gsi2pk: string;
  gsi2sk: string;
  trigger: string;
  execution_name: string;
  config_key?: string;
  config_version?: string;
  table_count: number;
  /**
   * The run's table list in the config bucket (functions/lib/runs/run-table-list.ts): every table of the run,
   * recorded or not. Absent when the run failed before it had tables.
   */
  table_list?: { bucket: string; key: string };
  repeated_tables?: string[];
  /** The event asked for a full refresh: watermark tables started from nothing. */
  full_refresh?: boolean;
  started_at: string;
  ended_at?: string;
  succeeded_count?: number;
  failed_count?: number;
  skipped_count?: number;
  cancelled_count?: number;
  error?: string;
  cause?: string;
  /** The run this one re-runs (`rerun_of` in its event). */
  rerun_of?: string;
  /** The runs that re-ran this one, oldest first: the newest MAX_LISTED_RERUNS of rerun_count. */
  reruns?: string[];
  /** Every re-run this run has had, listed or not. */
  rerun_count?: number;
}

export interface TableRecord {
  pk: string;
  sk: string;
  entity: 'table';
  run_id: string;
  table: string;
  job_type: string;
  source_type?: string;
  status: TableStatus;
  gsi1pk: string;
  gsi1sk: string;
  run_started_at: string;
  job_run_id?: string;
  started_at?: string;
  ended_at?: string;
  duration_seconds?: number;
  attempts?: number;
  error?: string;
  cause?: string;
  /** Watermark tables: the last watermark the job received (absent: it started from nothing). */
  watermark_from?: string;
  /** Watermark tables: the high-water mark the job reported, normalized; the table's watermark moved to it. */
  watermark_to?: string;
  /** Watermark tables that SUCCEEDED without moving their watermark: why (no report, a malformed or lower one). */
  watermark_warning?: string;
}

export const TERMINAL_TABLE_STATUSES: readonly TableStatus[] = [
  'SUCCEEDED',
  'FAILED',
  'SKIPPED',
  'CANCELLED',
];

export function runKey(runId: string): RunKey {
  return { pk: `RUN#${runId}`, sk: 'RUN' };
}

export function tableKey(runId: string, table: string): { pk: string; sk: string } {
  return { pk: `RUN#${runId}`, sk: `TABLE#${table}` };
}

export const TABLE_SORT_KEY_PREFIX = 'TABLE#';

/** The index of run records by status, newest first (resources/tracking-table.yml). */
export const BY_STATUS_INDEX = 'by-status';

export function runStatusIndexKey(
  status: RunStatus,
  startedAt: string,
  runId: string,
): { gsi2pk: string; gsi2sk: string } {
  return { gsi2pk: `RUNS#${status}`, gsi2sk: `${startedAt}#${runId}` };
}

export function tableHistoryIndexKey(
  table: string,
  runStartedAt: string,
  runId: string,
): { gsi1pk: string; gsi1sk: string } {
  return { gsi1pk: `TABLE#${table}`, gsi1sk: `${runStartedAt}#${runId}` };
}

/** A run succeeds only when every table did (SKIPPED counts as done: its precondition said there was nothing to do). */
export function overallRunStatus(counts: { failed: number; pending: number; cancelled?: number }): RunStatus {
  return counts.failed > 0 || counts.pending > 0 || (counts.cancelled ?? 0) > 0 ? 'FAILED' : 'SUCCEEDED';
}
