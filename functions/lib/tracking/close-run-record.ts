// The last write of a run: its record gets its final status, when it ended, its counts and the by-status index
// key that status files it under. Complete Extract Run writes it for a run that reached its end, closeEndedRun
// for one whose execution stopped, timed out or failed (with the reason); each with the condition its case needs.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { runKey, runStatusIndexKey, type RunStatus } from './tracking-records';
import type { TrackingStore } from './tracking-store';

export interface RunClosing {
  status: RunStatus;
  endedAt: string;
  counts: { succeeded: number; failed: number; skipped: number; cancelled: number };
  /** The run's error and cause, for a run that did not reach its end. */
  reason?: { error: string; cause: string };
  /** `attribute_exists(pk)` (the run must exist) or `#status = :running` (it must still be RUNNING). */
  condition: 'exists' | 'running';
}

/** Writes the closing; a failed condition is the caller's to judge (a ConditionalCheckFailedException). */
export async function closeRunRecord(
  store: TrackingStore,
  run: { run_id: string; started_at: string },
  closing: RunClosing,
): Promise<void> {
  const { status, endedAt, counts, reason, condition } = closing;
  const index = runStatusIndexKey(status, run.started_at, run.run_id);
  await store.db.send(
    new UpdateCommand({
      TableName: store.tableName,
      Key: runKey(run.run_id),
      UpdateExpression:
        'SET #status = :status, ended_at = :ended, succeeded_count = :succeeded, failed_count = :failed, ' +
        'skipped_count = :skipped, cancelled_count = :cancelled, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk' +
        (reason ? ', #error = :error, cause = :cause' : ''),
      ConditionExpression: condition === 'exists' ? 'attribute_exists(pk)' : '#status = :running',
      ExpressionAttributeNames: { '#status': 'status', ...(reason ? { '#error': 'error' } : {}) },
      ExpressionAttributeValues: {
        ':status': status,
        ':ended': endedAt,
        ':succeeded': counts.succeeded,
        ':failed': counts.failed,
        ':skipped': counts.skipped,
        ':cancelled': counts.cancelled,
        ':gsi2pk': index.gsi2pk,
        ':gsi2sk': index.gsi2sk,
        ...(reason ? { ':error': reason.error, ':cause': reason.cause } : {}),
        ...(condition === 'running' ? { ':running': 'RUNNING' } : {}),
      },
    }),
  );
}
