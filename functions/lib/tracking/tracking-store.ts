// Reads and writes the extract tracking table. Every write that moves a status is conditional, so a retried or
// duplicated Lambda invocation can neither write a table twice nor move it back (dynalite, used locally, has
// no transactions, so nothing here relies on them).
import { GetCommand, PutCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import type { TableJob } from '../jobs/table-job';
import { RunAlreadyExistsError } from '../errors';
import type { JobOutcome, TableStatus } from '../jobs/job-outcome';
import {
  runKey,
  runStatusIndexKey,
  TABLE_SORT_KEY_PREFIX,
  tableHistoryIndexKey,
  tableKey,
  type RunRecord,
  type RunStatus,
  type TableRecord,
} from './tracking-records';

export interface TrackingStore {
  db: DynamoDBDocumentClient;
  tableName: string;
}

/** What travels with every Map item: enough to key and date a table's record. */
export interface RunInfo {
  run_id: string;
  started_at: string;
  max_concurrency: number;
}

export type NewRun = Omit<RunRecord, 'pk' | 'sk' | 'entity' | 'status' | 'gsi2pk' | 'gsi2sk'>;

function runRecord(run: NewRun, status: RunStatus): RunRecord {
  return {
    ...runKey(run.run_id),
    entity: 'run',
    ...run,
    status,
    ...runStatusIndexKey(status, run.started_at, run.run_id),
  };
}

/**
 * Writes a run record unless another execution owns the run id: a retried config manager rewrites its own run,
 * another execution may not reuse it. Returns false when the id belongs to another execution.
 */
async function putOwnRunRecord(store: TrackingStore, record: RunRecord): Promise<boolean> {
  try {
    await store.db.send(
      new PutCommand({
        TableName: store.tableName,
        Item: record,
        ConditionExpression: 'attribute_not_exists(pk) OR execution_name = :execution',
        ExpressionAttributeValues: { ':execution': record.execution_name },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Writes the run record (RUNNING), and nothing per table: a table's record is written with its outcome, and the
 * run's table list (functions/lib/runs/run-table-list.ts, named by `table_list`) says which tables it has. Safe to
 * repeat for the same execution.
 */
export async function startRun(store: TrackingStore, run: NewRun): Promise<void> {
  if (!(await putOwnRunRecord(store, runRecord(run, 'RUNNING')))) {
    throw new RunAlreadyExistsError(
      `run_id: '${run.run_id}' is already used by another execution; pick a new run_id`,
    );
  }
}

/**
 * Records a run that failed before any table could start (bad event, missing or invalid config). Returns false,
 * writing nothing, when the run id belongs to another execution: that run is not this one's to fail, and the
 * caller's own error must surface rather than a ConditionalCheckFailedException from here.
 */
export async function failRun(
  store: TrackingStore,
  run: NewRun,
  error: Error,
  endedAt: string,
): Promise<boolean> {
  return putOwnRunRecord(store, {
    ...runRecord(run, 'FAILED'),
    ended_at: endedAt,
    error: error.name,
    cause: error.message.slice(0, 4000),
  });
}

export interface RecordedOutcome {
  table: string;
  status: TableStatus;
  /** False when an earlier invocation had already recorded this table. */
  applied: boolean;
  /** What the table's record says, when not applied. */
  error?: string;
  cause?: string;
}

export async function recordTableOutcome(
  store: TrackingStore,
  run: RunInfo,
  job: Pick<TableJob, 'table' | 'job_type' | 'source_type'>,
  outcome: JobOutcome,
  endedAt: Date,
): Promise<RecordedOutcome> {
  const startedAt = outcome.started_at ?? run.started_at;
  const record: TableRecord = {
    ...tableKey(run.run_id, job.table),
    entity: 'table',
    run_id: run.run_id,
    table: job.table,
    job_type: job.job_type,
    source_type: job.source_type,
    status: outcome.status,
    run_started_at: run.started_at,
    ...tableHistoryIndexKey(job.table, run.started_at, run.run_id),
    job_run_id: outcome.job_run_id,
    started_at: startedAt,
    ended_at: endedAt.toISOString(),
    duration_seconds: Math.max(0, Math.round((endedAt.getTime() - Date.parse(startedAt)) / 1000)),
    attempts: outcome.attempts,
    error: outcome.error,
    cause: outcome.cause,
    watermark_from: outcome.watermark_from,
    watermark_to: outcome.watermark_to,
    watermark_warning: outcome.watermark_warning,
  };
  try {
    await store.db.send(
      new PutCommand({
        TableName: store.tableName,
        Item: record,
        // Only a missing record (or a PENDING one, which versions before the run's table list wrote up front) may
        // take an outcome: a duplicate never overwrites a final status.
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'PENDING' },
      }),
    );
    return { table: job.table, status: outcome.status, applied: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const existing = await store.db.send(
      new GetCommand({
        TableName: store.tableName,
        Key: tableKey(run.run_id, job.table),
        ConsistentRead: true,
      }),
    );
    const record = existing.Item as TableRecord | undefined;
    return {
      table: job.table,
      status: record?.status ?? outcome.status,
      applied: false,
      ...(record?.error ? { error: record.error } : {}),
      ...(record?.cause ? { cause: record.cause } : {}),
    };
  }
}

/** A run's record, read consistently, or undefined when the tracking table has no such run. */
export async function readRunRecord(store: TrackingStore, runId: string): Promise<RunRecord | undefined> {
  const response = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: runKey(runId), ConsistentRead: true }),
  );
  return response.Item as RunRecord | undefined;
}

/** The run's table records a Query page at a time (at most 1 MB each), so a caller need not hold them all. */
export async function* runTablePages(store: TrackingStore, runId: string): AsyncGenerator<TableRecord[]> {
  const pages = paginateQuery(
    { client: store.db },
    {
      TableName: store.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': runKey(runId).pk, ':prefix': TABLE_SORT_KEY_PREFIX },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) yield (page.Items ?? []) as TableRecord[];
}

export async function listRunTables(store: TrackingStore, runId: string): Promise<TableRecord[]> {
  const records: TableRecord[] = [];
  for await (const page of runTablePages(store, runId)) records.push(...page);
  return records;
}
