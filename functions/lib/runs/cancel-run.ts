// Closing a stopped run: when its execution is ABORTED (npm run cancel, the console's Stop, `aws stepfunctions
// stop-execution`), no state of it runs again, so nothing else would ever finish its records. Every table of the
// run without an outcome (its table list, less its records) becomes CANCELLED (conditional on there being no
// outcome: one recorded first stays), a runner table's queued task is withdrawn and a leased one marked canceled
// (the runner's next ReportTaskProgress answers `canceled: true` and it stops the command), and the run record is
// closed CANCELLED with its counts.
// Safe to repeat: EventBridge may deliver the event more than once, and serve mode calls it the same way.
import type { S3Client } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import { markTaskCanceled } from '../task-runner/cancel-task';
import { latestTaskId } from '../task-runner/handoff-counter';
import type { TaskQueueDeps } from '../task-runner/task-item';
import { closeUnrecordedTables } from '../tracking/close-unrecorded-tables';
import { runKey, runStatusIndexKey, type RunRecord } from '../tracking/tracking-records';
import { readRunRecord, type TrackingStore } from '../tracking/tracking-store';
import { runTables } from './run-table-list';

/** The error name a CANCELLED table and run record carry. */
export const RUN_CANCELLED = 'RunCancelled';

export interface CancelRunDeps {
  store: TrackingStore;
  /** Reads the run's table list. */
  s3: S3Client;
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
      /** Tables this call gave CANCELLED (they had no outcome). */
      cancelled_tables: string[];
      /** Runner tasks withdrawn from their queue or marked canceled. */
      withdrawn_tasks: number;
      counts: { tables: number; succeeded: number; failed: number; skipped: number; cancelled: number };
      /** False when another call closed the run record first (a repeated event). */
      closed: boolean;
    };

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

  const now = deps.now();
  const at = now.toISOString();
  let withdrawn = 0;
  const outcome = { status: 'CANCELLED', attempts: 0, error: RUN_CANCELLED, cause: reason } as const;
  const runInfo = { run_id: runId, started_at: run.started_at, max_concurrency: 0 };
  const tally = await closeUnrecordedTables(
    store,
    runInfo,
    runTables(deps.s3, run),
    outcome,
    now,
    async (entry) => {
      // The task first: a runner told `canceled` before the record moves can only end up CANCELLED too.
      if (entry.job_type === 'runner' && (await withdrawRunnerTask(runId, entry.table, deps))) withdrawn++;
    },
  );
  const counts = {
    tables: Math.max(run.table_count, tally.tables),
    succeeded: tally.succeeded,
    failed: tally.failed,
    skipped: tally.skipped,
    cancelled: tally.cancelled,
  };
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
    cancelled_tables: tally.closed,
    withdrawn_tasks: withdrawn,
    counts,
    closed,
  };
}
