// The end of a lease: a task moves to its final status once, and back if its outcome could not be delivered.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import { finalTtl, LEASES_PK, taskKey, TaskNotLeasedError, toTaskItem } from './task-item';
import type { TaskItem, TaskQueueDeps } from './task-item';

export type CompletionStatus = 'FINISHED' | 'FAILED' | 'SKIPPED' | 'CANCELED';

/**
 * Moves a live task to its final status. Exactly one caller wins, so the state machine hears one outcome even if
 * a runner retries SetTaskStatus or races the lease reaper.
 */
export async function completeTask(
  taskId: string,
  accessKeyId: string,
  status: CompletionStatus,
  outcome: Record<string, unknown>,
  deps: TaskQueueDeps,
): Promise<TaskItem> {
  const nowMs = deps.now();
  try {
    const { Attributes } = await deps.documentClient.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: taskKey(taskId),
        UpdateExpression:
          'SET #status = :status, outcome = :outcome, finishedAt = :at, #ttl = :ttl, canceled = :canceled ' +
          'REMOVE lpk, leaseExpiresAt',
        // Only the lease holder's word counts, and only while its lease lasts.
        ConditionExpression: '#status = :leased AND leaseExpiresAt >= :now AND leaseKey = :key',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':key': accessKeyId,
          ':status': status,
          ':outcome': outcome,
          ':at': new Date(nowMs).toISOString(),
          ':ttl': finalTtl(nowMs),
          ':canceled': status === 'CANCELED',
          ':leased': 'LEASED',
          ':now': nowMs,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toTaskItem(Attributes ?? {});
  } catch (error) {
    if (isConditionFailure(error)) throw new TaskNotLeasedError(`Task ${taskId} is not running.`);
    throw error;
  }
}

/** Undoes completeTask when its outcome could not be delivered, so the runner's retried call can deliver it. */
export async function reopenTask(task: TaskItem, deps: TaskQueueDeps): Promise<void> {
  await deps.documentClient.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: taskKey(task.taskId),
      UpdateExpression:
        'SET #status = :leased, leaseExpiresAt = :expires, lpk = :lpk REMOVE outcome, finishedAt, #ttl',
      ConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':leased': 'LEASED',
        ':status': task.status,
        ':expires': deps.now() + task.reportProgressTimeoutSeconds * 1000,
        ':lpk': LEASES_PK,
      },
    }),
  );
}
