// A progress report on a leased task: its acknowledgement and the renewal of its lease.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import { getTask, taskKey, TaskNotLeasedError, toTaskItem } from './task-item';
import type { TaskItem, TaskQueueDeps } from './task-item';

/**
 * A progress report from the lease holder: acknowledges the task and extends its lease by its
 * reportProgressTimeout, and keeps the high-water mark it reports (its `watermark` field), the last one winning.
 * Any other key's report changes nothing.
 */
export async function recordTaskProgress(
  taskId: string,
  accessKeyId: string,
  deps: TaskQueueDeps,
  watermark?: string,
): Promise<TaskItem> {
  const nowMs = deps.now();
  const task = await getTask(taskId, deps);
  if (!task || task.status !== 'LEASED') throw new TaskNotLeasedError(`Task ${taskId} is not running.`);
  try {
    const { Attributes } = await deps.documentClient.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: taskKey(taskId),
        UpdateExpression:
          'SET leaseExpiresAt = :expires, acknowledged = :true, lastProgressAt = :at' +
          (watermark !== undefined ? ', reportedWatermark = :watermark' : ''),
        ConditionExpression: '#status = :leased AND leaseExpiresAt >= :now AND leaseKey = :key',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':expires': nowMs + task.reportProgressTimeoutSeconds * 1000,
          ':true': true,
          ':at': new Date(nowMs).toISOString(),
          ':leased': 'LEASED',
          ':now': nowMs,
          ':key': accessKeyId,
          ...(watermark !== undefined ? { ':watermark': watermark } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toTaskItem(Attributes ?? {});
  } catch (error) {
    if (isConditionFailure(error))
      throw new TaskNotLeasedError(`Task ${taskId} is not running or its lease expired.`);
    throw error;
  }
}
