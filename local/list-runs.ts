// Runs newest first with their counts, from the tracking table's by-status index (one Query per status, no
// scan), so the same code lists a local table or a deployed stage's.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  runStatusIndexKey,
  type RunRecord,
  type RunStatus,
} from '../functions/lib/tracking/tracking-records';
import { listRunTables, type TrackingStore } from '../functions/lib/tracking/tracking-store';
import { countTables, type RunCounts } from './summary';

export const BY_STATUS_INDEX = 'by-status';
const RUN_STATUSES: RunStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED'];

export interface RunListing {
  runId: string;
  status: RunStatus;
  trigger?: string;
  startedAt: string;
  counts: RunCounts;
  error?: string;
}

async function newestRuns(store: TrackingStore, status: RunStatus, limit: number): Promise<RunRecord[]> {
  const response = await store.db.send(
    new QueryCommand({
      TableName: store.tableName,
      IndexName: BY_STATUS_INDEX,
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': runStatusIndexKey(status, '', '').gsi2pk },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (response.Items ?? []) as RunRecord[];
}

export async function listRuns(store: TrackingStore, limit: number): Promise<RunListing[]> {
  const runs = (await Promise.all(RUN_STATUSES.map((status) => newestRuns(store, status, limit))))
    .flat()
    .sort((a, b) => b.gsi2sk.localeCompare(a.gsi2sk))
    .slice(0, limit);
  return Promise.all(
    runs.map(async (run): Promise<RunListing> => {
      // A closed run carries its counts; a running one is counted from its table records.
      const counts =
        run.status === 'RUNNING'
          ? countTables(
              (await listRunTables(store, run.run_id)).map((t) => t.status),
              run.table_count,
            )
          : {
              tables: run.table_count,
              succeeded: run.succeeded_count ?? 0,
              failed: run.failed_count ?? 0,
              skipped: run.skipped_count ?? 0,
              pending: 0,
            };
      return {
        runId: run.run_id,
        status: run.status,
        trigger: run.trigger,
        startedAt: run.started_at,
        counts,
        ...(run.error ? { error: run.error } : {}),
      };
    }),
  );
}
