// A serve instance runs its executions in its own process: when it stops before they end (killed, or Ctrl-C past
// the wait), nothing would ever close their records, and `npm run status` would list them RUNNING forever. Such
// runs are closed FAILED with an "interrupted" cause: at the next start, and on a shutdown that stops waiting.
import type { S3Client } from '@aws-sdk/client-s3';
import { paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { completeRun } from '../../functions/lib/runs/complete-run';
import { runTables } from '../../functions/lib/runs/run-table-list';
import { closeUnrecordedTables } from '../../functions/lib/tracking/close-unrecorded-tables';
import { runKey, runStatusIndexKey, type RunRecord } from '../../functions/lib/tracking/tracking-records';
import type { TrackingStore } from '../../functions/lib/tracking/tracking-store';
import { BY_STATUS_INDEX } from '../list-runs';

export const RUN_INTERRUPTED = 'RunInterrupted';

async function runningRuns(store: TrackingStore): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  const pages = paginateQuery(
    { client: store.db },
    {
      TableName: store.tableName,
      IndexName: BY_STATUS_INDEX,
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': runStatusIndexKey('RUNNING', '', '').gsi2pk },
    },
  );
  for await (const page of pages) runs.push(...((page.Items ?? []) as RunRecord[]));
  return runs;
}

/**
 * Closes every RUNNING run of the table: its unfinished tables FAILED, then the run FAILED, both with
 * RunInterrupted and `cause`. Only for a table no live execution writes to. Returns the run ids.
 */
export async function failInterruptedRuns(
  store: TrackingStore,
  s3: S3Client,
  cause: string,
  now = new Date(),
): Promise<string[]> {
  const runs = await runningRuns(store);
  for (const run of runs) {
    const info = { run_id: run.run_id, started_at: run.started_at, max_concurrency: 1 };
    const outcome = { status: 'FAILED', attempts: 0, error: RUN_INTERRUPTED, cause } as const;
    await closeUnrecordedTables(store, info, runTables(s3, run), outcome, now, {
      tableCount: run.table_count,
    });
    // The counts as any run's end has them; then the run is FAILED whatever they say (it may have no tables yet).
    await completeRun(store, s3, info, now);
    const failed = runStatusIndexKey('FAILED', run.started_at, run.run_id);
    await store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: runKey(run.run_id),
        UpdateExpression:
          'SET #status = :failed, #error = :error, cause = :cause, gsi2pk = :pk, gsi2sk = :sk',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':failed': 'FAILED',
          ':error': RUN_INTERRUPTED,
          ':cause': cause,
          ':pk': failed.gsi2pk,
          ':sk': failed.gsi2sk,
        },
      }),
    );
  }
  return runs.map((run) => run.run_id);
}
