// Canceling a task whose execution stopped waiting for it, queued or leased.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import { finalTtl, taskKey } from './task-item';
import type { TaskQueueDeps } from './task-item';

/** The execution stopped waiting (stopped run, timed-out heartbeat): the runner is told via `canceled`. */
export async function markTaskCanceled(taskId: string, deps: TaskQueueDeps): Promise<void> {
  const nowMs = deps.now();
  await deps.documentClient
    .send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: taskKey(taskId),
        UpdateExpression:
          'SET #status = :canceled, canceled = :true, finishedAt = :at, #ttl = :ttl REMOVE lpk, leaseExpiresAt, gsi1pk, gsi1sk',
        ConditionExpression: '#status IN (:queued, :leased)',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':canceled': 'CANCELED',
          ':true': true,
          ':at': new Date(nowMs).toISOString(),
          ':ttl': finalTtl(nowMs),
          ':queued': 'QUEUED',
          ':leased': 'LEASED',
        },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}
