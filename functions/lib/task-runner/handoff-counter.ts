// How many times a table has been handed out in its run, across lease re-queues and state machine retries: each
// hand-off's attempt number, so attemptIds never repeat and the tracking record counts every try.
//
// Counter item:  pk = HANDOFFS#<sha256 of runId and table>  sk = HANDOFFS   handoffs, lastTaskId, ttl
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import { FINISHED_RETENTION_SECONDS, sha256 } from './task-item';
import type { TaskQueueDeps } from './task-item';

// A run's tables may wait a day per state machine attempt; the counter outlives them with the finished tasks.
const COUNTER_RETENTION_SECONDS = FINISHED_RETENTION_SECONDS + 3 * 24 * 3600;

const counterKey = (runId: string, table: string) => ({
  pk: `HANDOFFS#${sha256(JSON.stringify([runId, table]))}`,
  sk: 'HANDOFFS',
});

/**
 * The attempt number of the task item `taskId` about to be queued for this run's table. Idempotent per taskId: a
 * retried enqueue or a concurrent reclaim pass that creates the same item gets the same number, not a new one.
 */
export async function allocateAttempt(
  runId: string,
  table: string,
  taskId: string,
  deps: TaskQueueDeps,
): Promise<number> {
  const Key = counterKey(runId, table);
  try {
    const { Attributes } = await deps.documentClient.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key,
        UpdateExpression:
          'SET handoffs = if_not_exists(handoffs, :zero) + :one, lastTaskId = :taskId, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(lastTaskId) OR lastTaskId <> :taskId',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':zero': 0,
          ':one': 1,
          ':taskId': taskId,
          ':ttl': Math.floor(deps.now() / 1000) + COUNTER_RETENTION_SECONDS,
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.handoffs);
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // This taskId already drew the latest number.
    const { Item } = await deps.documentClient.send(
      new GetCommand({ TableName: deps.tableName, Key, ConsistentRead: true }),
    );
    return Number(Item?.handoffs);
  }
}

/** The latest hand-off's task id of a run's table (re-queues move it on), or undefined if it was never queued. */
export async function latestTaskId(
  runId: string,
  table: string,
  deps: TaskQueueDeps,
): Promise<string | undefined> {
  const { Item } = await deps.documentClient.send(
    new GetCommand({ TableName: deps.tableName, Key: counterKey(runId, table), ConsistentRead: true }),
  );
  return typeof Item?.lastTaskId === 'string' ? Item.lastTaskId : undefined;
}
