// Claiming a queued task for one poller: the start of a lease.
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import {
  ACKNOWLEDGE_TIMEOUT_MS,
  LEASES_PK,
  QUEUE_INDEX,
  queueKeys,
  queuePartition,
  taskKey,
  toTaskItem,
} from './task-item';
import type { TaskItem, TaskQueueDeps } from './task-item';

/** Who polled: the access key owns the lease; the hostname is for people reading the table. */
export interface LeaseHolder {
  accessKeyId: string;
  hostname?: string;
}

/**
 * Hands the oldest queued task of exactly this worker group to one caller. The index read is eventually consistent
 * and races other pollers; the conditional update on the base item is what makes the hand-off exclusive.
 */
export async function claimNextQueuedTask(
  workerGroup: string,
  holder: LeaseHolder,
  deps: TaskQueueDeps,
): Promise<TaskItem | undefined> {
  const { Items = [] } = await deps.documentClient.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: QUEUE_INDEX,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': queuePartition(workerGroup) },
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
            'SET #status = :leased, leaseOwner = :owner, leaseKey = :key, leasedAt = :at, leaseExpiresAt = :expires, ' +
            'acknowledged = :false, lpk = :lpk REMOVE gsi1pk, gsi1sk',
          ConditionExpression: '#status = :queued',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':leased': 'LEASED',
            ':queued': 'QUEUED',
            ':owner': `${holder.accessKeyId}/${holder.hostname ?? 'unknown-host'}`,
            ':key': holder.accessKeyId,
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

/**
 * Undoes a claim whose poll's client went away before the task reached it: the same item goes back to the head of
 * its queue (its original queue time), leased to no one and without using an attempt.
 */
export async function releaseUnreceivedClaim(task: TaskItem, deps: TaskQueueDeps): Promise<void> {
  await deps.documentClient
    .send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: taskKey(task.taskId),
        UpdateExpression:
          'SET #status = :queued, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk ' +
          'REMOVE lpk, leaseExpiresAt, leaseOwner, leaseKey, leasedAt, acknowledged',
        ConditionExpression: '#status = :leased AND acknowledged = :false AND leaseKey = :key',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':queued': 'QUEUED',
          ':leased': 'LEASED',
          ':false': false,
          ':key': task.leaseKey,
          ...Object.fromEntries(
            Object.entries(queueKeys(task, Date.parse(task.queuedAt))).map(([k, v]) => [`:${k}`, v]),
          ),
        },
      }),
    )
    .catch((error: unknown) => {
      // Acknowledged meanwhile, or already taken back: nothing to undo.
      if (!isConditionFailure(error)) throw error;
    });
}
