// The RUNNING runs, read from the by-status index (it projects every attribute). RUNNING runs are few: those under
// way, and any whose execution ended without being closed.
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import { BY_STATUS_INDEX, runStatusIndexKey, type RunRecord } from './tracking-records';
import type { TrackingStore } from './tracking-store';

/** Every RUNNING run, or only the one `executionName` started. */
export async function* runningRuns(store: TrackingStore, executionName?: string): AsyncGenerator<RunRecord> {
  const pages = paginateQuery(
    { client: store.db },
    {
      TableName: store.tableName,
      IndexName: BY_STATUS_INDEX,
      KeyConditionExpression: 'gsi2pk = :running',
      ExpressionAttributeValues: {
        ':running': runStatusIndexKey('RUNNING', '', '').gsi2pk,
        ...(executionName ? { ':name': executionName } : {}),
      },
      ...(executionName ? { FilterExpression: 'execution_name = :name' } : {}),
    },
  );
  for await (const page of pages) yield* (page.Items ?? []) as RunRecord[];
}
