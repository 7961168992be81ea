// A re-run is listed on the run it re-runs (`reruns`, oldest first, and `rerun_count`), so that the old run's
// record leads to what became of its failed tables. The list keeps the newest MAX_LISTED_RERUNS: a run re-run
// every hour for a year must not grow its record towards DynamoDB's 400 KB item limit. Each re-run still names
// its old run in its own `rerun_of`, listed or not.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import { runKey } from './tracking-records';
import type { TrackingStore } from './tracking-store';

export const MAX_LISTED_RERUNS = 100;

/**
 * Appends `rerunId` to the old run's `reruns` once: a retried config manager finds it listed and changes
 * nothing. Returns false when the old run's record is gone or already lists the re-run.
 */
export async function linkRerun(store: TrackingStore, oldRunId: string, rerunId: string): Promise<boolean> {
  try {
    await store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: runKey(oldRunId),
        UpdateExpression:
          'SET reruns = list_append(if_not_exists(reruns, :none), :rerun), rerun_count = if_not_exists(rerun_count, :zero) + :one',
        ConditionExpression: 'attribute_exists(pk) AND NOT contains(reruns, :id)',
        ExpressionAttributeValues: {
          ':none': [],
          ':rerun': [rerunId],
          ':id': rerunId,
          ':zero': 0,
          ':one': 1,
        },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
  await dropOldestRerun(store, oldRunId);
  return true;
}

/** One append grows the list by one, so one removal keeps it at the bound; concurrent ones cannot go below. */
async function dropOldestRerun(store: TrackingStore, oldRunId: string): Promise<void> {
  try {
    await store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: runKey(oldRunId),
        UpdateExpression: 'REMOVE reruns[0]',
        ConditionExpression: 'size(reruns) > :max',
        ExpressionAttributeValues: { ':max': MAX_LISTED_RERUNS },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
