// Closing a stopped run: when its execution is ABORTED (npm run cancel, the console's Stop, `aws stepfunctions
// stop-execution`), no state of it runs again, so nothing else would ever finish its records. Every table still
// PENDING becomes CANCELLED (conditional on PENDING: an outcome recorded first stays), a runner table's queued
// task is withdrawn and a leased one marked canceled (the runner's next ReportTaskProgress answers
// `canceled: true` and it stops the command), and the run record is closed CANCELLED with its counts.
// Safe to repeat: EventBridge may deliver the event more than once, and serve mode calls it the same way.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import { forEachAtMost } from '../for-each-at-most';
import { markTaskCanceled } from '../task-runner/cancel-task';
import { latestTaskId } from '../task-runner/handoff-counter';
import type { TaskQueueDeps } from '../task-runner/task-item';
import {
  runKey,
  runStatusIndexKey,
  tableKey,
  type RunRecord,
  type TableRecord,
} from '../tracking/tracking-records';
import { releaseTableLeases } from '../tracking/table-leases';
import {
  LEFTOVER_PARALLELISM,
  readRunRecord,
  runTablePages,
  type TrackingStore,
} from '../tracking/tracking-store';

/** The error name a CANCELLED table and run record carry. */
export const RUN_CANCELLED = 'RunCancelled';

export interface CancelRunDeps {
  store: TrackingStore;
  /** The task-runner queue; undefined where a stage has none. */
  taskQueue?: Omit<TaskQueueDeps, 'now'>;
  now: () => Date;
}

export type CancelRunResult =
  | { outcome: 'no-run'; run_id: string }
  | { outcome: 'already-closed'; run_id: string; status: RunRecord['status'] }
  | {
      outcome: 'cancelled';
      run_id: string;
      /** Tables this call moved from PENDING to CANCELLED. */
      cancelled_tables: string[];
      /** Runner tasks withdrawn from their queue or marked canceled. */
      withdrawn_tasks: number;
      counts: { tables: number; succeeded: number; failed: number; skipped: number; cancelled: number };
      /** False when another call closed the run record first (a repeated event). */
      closed: boolean;
    };

/** PENDING -> CANCELLED, only if still PENDING. Returns false when an outcome got there first. */
async function cancelTable(store: TrackingStore, record: TableRecord, reason: string, at: string) {
  try {
    await store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: tableKey(record.run_id, record.table),
        UpdateExpression: 'SET #status = :cancelled, ended_at = :at, #error = :error, cause = :cause',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':cancelled': 'CANCELLED',
          ':pending': 'PENDING',
          ':at': at,
          ':error': RUN_CANCELLED,
          ':cause': reason,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

async function readTableStatus(store: TrackingStore, runId: string, table: string) {
  const { Item } = await store.db.send(
    new GetCommand({
      TableName: store.tableName,
      Key: tableKey(runId, table),
      ConsistentRead: true,
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
  );
  return Item?.status as TableRecord['status'] | undefined;
}

/** The runner table's current hand-off, withdrawn if queued, marked canceled if leased. */
async function withdrawRunnerTask(runId: string, table: string, deps: CancelRunDeps): Promise<boolean> {
  if (!deps.taskQueue) return false;
  const queue = { ...deps.taskQueue, now: () => deps.now().getTime() };
  const taskId = await latestTaskId(runId, table, queue);
  if (!taskId) return false;
  await markTaskCanceled(taskId, queue);
  return true;
}

export async function cancelRun(
  runId: string,
  reason: string,
  deps: CancelRunDeps,
): Promise<CancelRunResult> {
  const { store } = deps;
  const run = await readRunRecord(store, runId);
  if (!run) return { outcome: 'no-run', run_id: runId };
  if (run.status !== 'RUNNING') return { outcome: 'already-closed', run_id: runId, status: run.status };

  const at = deps.now().toISOString();
  const cancelled: string[] = [];
  let withdrawn = 0;
  const counts = { tables: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };
  // A page at a time and a few writes at once, as Complete Extract Run does: a run may have 100,000 tables.
  for await (const page of runTablePages(store, runId)) {
    const pending = page.filter((r) => r.status === 'PENDING');
    const cancelledInPage: string[] = [];
    await forEachAtMost(pending, LEFTOVER_PARALLELISM, async (record) => {
      // The task first: a runner told `canceled` before the record moves can only end up CANCELLED too.
      if (record.job_type === 'runner' && (await withdrawRunnerTask(runId, record.table, deps))) withdrawn++;
      if (await cancelTable(store, record, reason, at)) {
        record.status = 'CANCELLED';
        cancelledInPage.push(record.table);
      } else {
        // An outcome won the race; only such a record can have changed since the page was read.
        record.status = (await readTableStatus(store, runId, record.table)) ?? record.status;
      }
    });
    // The run ends CANCELLED, so its leases are stale anyway; releasing them frees the tables without a takeover.
    await releaseTableLeases(store, cancelledInPage, runId);
    cancelled.push(...cancelledInPage);
    for (const record of page) {
      counts.tables++;
      if (record.status === 'SUCCEEDED') counts.succeeded++;
      else if (record.status === 'FAILED') counts.failed++;
      else if (record.status === 'SKIPPED') counts.skipped++;
      else if (record.status === 'CANCELLED') counts.cancelled++;
    }
  }
  counts.tables = Math.max(run.table_count, counts.tables);
  const index = runStatusIndexKey('CANCELLED', run.started_at, runId);
  let closed = true;
  try {
    await store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: runKey(runId),
        UpdateExpression:
          'SET #status = :cancelled, ended_at = :at, succeeded_count = :succeeded, failed_count = :failed, ' +
          'skipped_count = :skipped, cancelled_count = :cancelledCount, #error = :error, cause = :cause, ' +
          'gsi2pk = :gsi2pk, gsi2sk = :gsi2sk',
        // A run that completed (or was closed by a repeated event) first keeps its status.
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':cancelled': 'CANCELLED',
          ':running': 'RUNNING',
          ':at': at,
          ':succeeded': counts.succeeded,
          ':failed': counts.failed,
          ':skipped': counts.skipped,
          ':cancelledCount': counts.cancelled,
          ':error': RUN_CANCELLED,
          ':cause': reason,
          ':gsi2pk': index.gsi2pk,
          ':gsi2sk': index.gsi2sk,
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    closed = false;
  }
  return {
    outcome: 'cancelled',
    run_id: runId,
    cancelled_tables: cancelled,
    withdrawn_tasks: withdrawn,
    counts,
    closed,
  };
}
