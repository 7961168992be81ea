// Reads and writes the extract tracking table. Every write that moves a status is conditional, so a retried or
// duplicated Lambda invocation can neither write a table twice nor move it back (dynalite, used locally, has
// no transactions, so nothing here relies on them).
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { forEachAtMost } from '../for-each-at-most';
import { isConditionFailure } from '../is-condition-failure';
import type { TableJob } from '../jobs/table-job';
import { RunAlreadyExistsError } from '../errors';
import type { JobOutcome, TableStatus } from '../jobs/job-outcome';
import {
  overallRunStatus,
  runKey,
  runStatusIndexKey,
  TABLE_SORT_KEY_PREFIX,
  tableHistoryIndexKey,
  tableKey,
  type RunRecord,
  type RunStatus,
  type TableRecord,
} from './tracking-records';
import { releaseTableLeases } from './table-leases';

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

const BATCH_SIZE = 25;
const BATCH_PARALLELISM = 4;
const MAX_BATCH_RETRIES = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** Writes the run record (RUNNING) and a PENDING record per table. Safe to repeat for the same execution. */
export async function startRun(store: TrackingStore, run: NewRun, jobs: TableJob[]): Promise<void> {
  if (!(await putOwnRunRecord(store, runRecord(run, 'RUNNING')))) {
    throw new RunAlreadyExistsError(
      `run_id: '${run.run_id}' is already used by another execution; pick a new run_id`,
    );
  }

  const pending: TableRecord[] = jobs.map((job) => ({
    ...tableKey(run.run_id, job.table),
    entity: 'table',
    run_id: run.run_id,
    table: job.table,
    job_type: job.job_type,
    source_type: job.source_type,
    status: 'PENDING',
    run_started_at: run.started_at,
    ...tableHistoryIndexKey(job.table, run.started_at, run.run_id),
  }));
  await batchPut(store, pending);
}

async function batchPut(store: TrackingStore, items: object[]): Promise<void> {
  const batches: object[][] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) batches.push(items.slice(i, i + BATCH_SIZE));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      let requests = batch.map((Item) => ({ PutRequest: { Item: Item as Record<string, unknown> } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > MAX_BATCH_RETRIES)
          throw new Error(`BatchWriteItem left ${requests.length} items unprocessed`);
        if (attempt > 0) await sleep(Math.random() * 50 * 2 ** attempt);
        const response = await store.db.send(
          new BatchWriteCommand({ RequestItems: { [store.tableName]: requests } }),
        );
        requests = (response.UnprocessedItems?.[store.tableName] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_PARALLELISM, batches.length) }, worker));
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
        // Only a PENDING (or missing) record may take an outcome: a duplicate never overwrites a final status.
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
    return {
      table: job.table,
      status: (existing.Item?.status as TableStatus) ?? outcome.status,
      applied: false,
    };
  }
}

export interface CompletedRun {
  run_id: string;
  status: RunStatus;
  table_count: number;
  succeeded: number;
  failed: number;
  skipped: number;
  /** The first failures with their reasons; the tracking table has them all. */
  failed_tables: { table: string; error?: string; cause?: string }[];
}

const MAX_LISTED_FAILURES = 25;

/** A run's record, read consistently, or undefined when the tracking table has no such run. */
export async function readRunRecord(store: TrackingStore, runId: string): Promise<RunRecord | undefined> {
  const response = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: runKey(runId), ConsistentRead: true }),
  );
  return response.Item as RunRecord | undefined;
}

/** Leftover records marked at once: DynamoDB takes 1,000 writes a second in one partition key (the run's). */
export const LEFTOVER_PARALLELISM = 4;

const OUTCOME_NOT_RECORDED: JobOutcome & { status: 'FAILED' } = {
  status: 'FAILED',
  attempts: 0,
  error: 'OutcomeNotRecorded',
  cause:
    'The run ended without an outcome for this table (its status could not be recorded); check the execution history',
};

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

function pick<T, K extends keyof T>(value: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, value[key]])) as Pick<T, K>;
}

/** Runs `work` on every item with at most `parallelism` at once. */
/**
 * Records `outcome` for each of `records` still PENDING, and updates them to what the table then holds. Each is
 * its own conditional write (an outcome recorded meanwhile wins); a few at once, as one partition key allows.
 */
export async function failPendingTables(
  store: TrackingStore,
  run: RunInfo,
  records: TableRecord[],
  outcome: JobOutcome & { status: 'FAILED' },
  now: Date,
): Promise<void> {
  const pending = records.filter((record) => record.status === 'PENDING');
  await forEachAtMost(pending, LEFTOVER_PARALLELISM, async (record) => {
    const recorded = await recordTableOutcome(store, run, record, outcome, now);
    record.status = recorded.status;
    if (recorded.applied) Object.assign(record, pick(outcome, 'error', 'cause'));
  });
}

/**
 * Closes a run: tables still PENDING get FAILED, and the run record gets its counts and final status. The
 * records are read a page at a time and only counted, so the function's memory does not grow with the run
 * (100,000 records are about 40 MB as items, several times that as objects).
 */
export async function completeRun(store: TrackingStore, run: RunInfo, now: Date): Promise<CompletedRun> {
  const endedAt = now.toISOString();
  const counts = { succeeded: 0, failed: 0, skipped: 0, cancelled: 0, pending: 0 };
  let tableCount = 0;
  const failedTables: CompletedRun['failed_tables'] = [];

  for await (const page of runTablePages(store, run.run_id)) {
    const leftovers = page.filter((record) => record.status === 'PENDING').map((record) => record.table);
    await failPendingTables(store, run, page, OUTCOME_NOT_RECORDED, now);
    // Leftovers may hold their leases (a refused table never took one, and then the condition leaves it be).
    await releaseTableLeases(store, leftovers, run.run_id);
    for (const record of page) {
      tableCount++;
      if (record.status === 'SUCCEEDED') counts.succeeded++;
      else if (record.status === 'SKIPPED') counts.skipped++;
      else if (record.status === 'CANCELLED') counts.cancelled++;
      else if (record.status === 'PENDING') counts.pending++;
      else if (record.status === 'FAILED') {
        counts.failed++;
        if (failedTables.length < MAX_LISTED_FAILURES)
          failedTables.push({ table: record.table, error: record.error, cause: record.cause });
      }
    }
  }
  const status = overallRunStatus(counts);

  await store.db.send(
    new UpdateCommand({
      TableName: store.tableName,
      Key: runKey(run.run_id),
      UpdateExpression:
        'SET #status = :status, ended_at = :ended, succeeded_count = :succeeded, failed_count = :failed, skipped_count = :skipped, cancelled_count = :cancelled, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': status,
        ':ended': endedAt,
        ':succeeded': counts.succeeded,
        ':failed': counts.failed,
        ':skipped': counts.skipped,
        ':cancelled': counts.cancelled,
        ...Object.fromEntries(
          Object.entries(runStatusIndexKey(status, run.started_at, run.run_id)).map(([k, v]) => [`:${k}`, v]),
        ),
      },
    }),
  );

  return {
    run_id: run.run_id,
    status,
    table_count: tableCount,
    succeeded: counts.succeeded,
    failed: counts.failed,
    skipped: counts.skipped,
    failed_tables: failedTables,
  };
}
