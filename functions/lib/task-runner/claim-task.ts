// Claiming a queued task for one poller: the start of a lease.
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import { ACKNOWLEDGE_TIMEOUT_MS, LEASES_PK, QUEUE_INDEX, toTaskItem } from './task-item';
import type { TaskItem, TaskQueueDeps } from './task-item';

/**
 * Hands the oldest queued task of exactly this worker group to one caller. The index read is eventually consistent
 * and races other pollers; the conditional update on the base item is what makes the hand-off exclusive.
 */
export async function claimNextQueuedTask(
  workerGroup: string,
  leaseOwner: string,
  deps: TaskQueueDeps,
): Promise<TaskItem | undefined> {
  const { Items = [] } = await deps.documentClient.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: QUEUE_INDEX,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `QUEUED#${workerGroup}` },
      Limit: 10,
    }),
  );
  for (const candidate of Items) {
    const nowMs = deps.now();
    try {
      const { Attributes } = await deps.documentClient.send(
        new UpdateCommand({
          TableName: deps.tableName,
          Key: { pk: candidate.pk, sk: candidate.sk },
          UpdateExpression:
            'SET #status = :leased, leaseOwner = :owner, leasedAt = :at, leaseExpiresAt = :expires, ' +
            'acknowledged = :false, lpk = :lpk REMOVE gsi1pk, gsi1sk',
          ConditionExpression: '#status = :queued',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':leased': 'LEASED',
            ':queued': 'QUEUED',
            ':owner': leaseOwner,
            ':at': new Date(nowMs).toISOString(),
            ':expires': nowMs + ACKNOWLEDGE_TIMEOUT_MS,
            ':false': false,
            ':lpk': LEASES_PK,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toTaskItem(Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  return undefined;
}
