// A serve instance runs its executions in its own process: when it stops before they end (killed, or Ctrl-C past
// the wait), nothing would ever close their records, and `npm run status` would list them RUNNING forever. Such
// runs are closed FAILED with an "interrupted" cause: at the next start, and on a shutdown that stops waiting.
import type { S3Client } from '@aws-sdk/client-s3';
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import { closeEndedRun } from '../../functions/lib/runs/cancel-run';
import { runStatusIndexKey, type RunRecord } from '../../functions/lib/tracking/tracking-records';
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
 * Closes every RUNNING run of the table as an ended execution's run is closed (closeEndedRun): its tables without
 * an outcome FAILED, then the run FAILED with its counts, both with RunInterrupted and `cause`. Only for a table no
 * live execution writes to. Returns the run ids.
 */
export async function failInterruptedRuns(
  store: TrackingStore,
  s3: S3Client,
  cause: string,
  now = new Date(),
): Promise<string[]> {
  const runs = await runningRuns(store);
  const ending = { status: 'FAILED', error: RUN_INTERRUPTED, cause } as const;
  for (const run of runs)
    await closeEndedRun(run.run_id, run.execution_name, ending, { store, s3, now: () => now });
  return runs.map((run) => run.run_id);
}
