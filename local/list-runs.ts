// Runs newest first with their counts, from the tracking table's by-status index (one Query per status, no
// scan), and one table's history across runs from the by-table index, so the same code lists a local table or a
// deployed stage's.
import { paginateQuery, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TableStatus } from '../functions/lib/jobs/job-outcome';
import {
  BY_STATUS_INDEX,
  RUN_STATUSES,
  runStatusIndexKey,
  tableHistoryIndexKey,
  type RunRecord,
  type RunStatus,
  type TableRecord,
} from '../functions/lib/tracking/tracking-records';
import { listRunTables, type TrackingStore } from '../functions/lib/tracking/tracking-store';
import { countTables, type RunCounts } from './summary';

export const BY_TABLE_INDEX = 'by-table';

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

/** The newest `limit` runs, of one status or of all. */
export async function listRuns(
  store: TrackingStore,
  limit: number,
  status?: RunStatus,
): Promise<RunListing[]> {
  const statuses = status ? [status] : RUN_STATUSES;
  const runs = (await Promise.all(statuses.map((s) => newestRuns(store, s, limit))))
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
              cancelled: run.cancelled_count ?? 0,
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

export interface TableHistory {
  /** Newest run first. */
  records: TableRecord[];
  /** True when older runs exist beyond `limit` (of the status asked for). */
  more: boolean;
}

/**
 * One table's records across runs, newest run first, from the by-table index: Query pages until `limit` records
 * (of `status`, when given) are found, so a filter never reads the table's whole history at once.
 */
export async function tableHistory(
  store: TrackingStore,
  table: string,
  limit: number,
  status?: TableStatus,
): Promise<TableHistory> {
  const records: TableRecord[] = [];
  const pages = paginateQuery(
    { client: store.db, pageSize: Math.min(Math.max(limit + 1, 25), 1000) },
    {
      TableName: store.tableName,
      IndexName: BY_TABLE_INDEX,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: {
        ':pk': tableHistoryIndexKey(table, '', '').gsi1pk,
        ...(status ? { ':status': status } : {}),
      },
      ...(status
        ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }
        : {}),
      ScanIndexForward: false,
    },
  );
  for await (const page of pages) {
    records.push(...((page.Items ?? []) as TableRecord[]));
    if (records.length > limit) return { records: records.slice(0, limit), more: true };
  }
  return { records, more: false };
}
