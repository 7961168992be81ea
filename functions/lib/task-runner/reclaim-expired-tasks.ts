// Taking back tasks whose runner fell silent: re-queued as a new hand-off while attempts remain, failed after.
import { paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import { putQueuedTask } from './enqueue-task';
import { allocateAttempt } from './handoff-counter';
import { TaskGoneError } from './task-callbacks';
import type { TaskCallbacks } from './task-callbacks';
import {
  ACKNOWLEDGE_TIMEOUT_MS,
  finalTtl,
  getTask,
  LEASE_INDEX,
  LEASES_PK,
  leaseAttemptOf,
  MAX_UNACKNOWLEDGED_RETURNS,
  sha256,
  taskKey,
  toTaskItem,
} from './task-item';
import type { TaskItem, TaskQueueDeps } from './task-item';
import { failureCause } from './task-outcome';

export interface ReclaimResult {
  requeued: { taskId: string; successorTaskId: string; attempt: number }[];
  failed: { taskId: string; reason: string }[];
}

export interface ReclaimDeps extends TaskQueueDeps {
  callbacks: TaskCallbacks;
}

/**
 * Takes back tasks whose runner fell silent. Safe to run from any number of pollers at once: each step is a
 * conditional write, and a pass interrupted between steps leaves the item EXPIRED in the lease index, where the
 * next pass finishes the job.
 */
export async function reclaimExpiredTasks(deps: ReclaimDeps): Promise<ReclaimResult> {
  const nowMs = deps.now();
  const result: ReclaimResult = { requeued: [], failed: [] };
  const pages = paginateQuery(
    { client: deps.documentClient },
    {
      TableName: deps.tableName,
      IndexName: LEASE_INDEX,
      KeyConditionExpression: 'lpk = :lpk AND leaseExpiresAt < :now',
      ExpressionAttributeValues: { ':lpk': LEASES_PK, ':now': nowMs },
    },
  );
  for await (const page of pages) {
    for (const key of page.Items ?? []) {
      // The index is eventually consistent and keys-only: decide on a fresh, consistent read of the item.
      const current = await getTask(String(key.pk).slice('TASK#'.length), deps);
      const task = current && (await expireLease(current, nowMs, deps));
      if (!task) continue;
      const next = nextTry(task);
      if (next) {
        const successor = await requeueExpiredTask(task, next, nowMs, deps);
        if (successor)
          result.requeued.push({
            taskId: task.taskId,
            successorTaskId: successor.taskId,
            attempt: successor.attempt,
          });
      } else if (await failExpiredTask(task, nowMs, deps)) {
        result.failed.push({ taskId: task.taskId, reason: task.expiredReason ?? '' });
      }
    }
  }
  return result;
}

async function expireLease(
  task: TaskItem,
  nowMs: number,
  deps: TaskQueueDeps,
): Promise<TaskItem | undefined> {
  if (task.status === 'EXPIRED') return task;
  if (task.status !== 'LEASED') return undefined;
  const reason = task.acknowledged
    ? `The task runner did not report progress within reportProgressTimeout (${task.reportProgressTimeoutSeconds} s).`
    : `The task runner did not acknowledge the task within ${ACKNOWLEDGE_TIMEOUT_MS / 1000} s of receiving it.`;
  try {
    const { Attributes } = await deps.documentClient.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: taskKey(task.taskId),
        UpdateExpression: 'SET #status = :expired, expiredReason = :reason',
        // A progress report that lands first wins: the lease is then no longer expired.
        ConditionExpression: '#status = :leased AND leaseExpiresAt < :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':expired': 'EXPIRED',
          ':leased': 'LEASED',
          ':now': nowMs,
          ':reason': reason,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toTaskItem(Attributes ?? {});
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

type NextTry = Pick<TaskItem, 'leaseAttempt' | 'unacknowledgedReturns'>;

/**
 * Where an expired lease goes next, or undefined when its attempts are spent. A lease nobody acknowledged costs
 * no attempt (the poll's client may have given up before the answer reached it), up to
 * MAX_UNACKNOWLEDGED_RETURNS times per attempt, so a runner that never acknowledges cannot loop a task forever.
 */
function nextTry(task: TaskItem): NextTry | undefined {
  const used = leaseAttemptOf(task);
  const returns = task.unacknowledgedReturns ?? 0;
  if (!task.acknowledged && returns < MAX_UNACKNOWLEDGED_RETURNS) {
    return { leaseAttempt: used, unacknowledgedReturns: returns + 1 };
  }
  return used < task.attemptLimit ? { leaseAttempt: used + 1, unacknowledgedReturns: 0 } : undefined;
}

/** Returns the successor if this call created it; undefined if a concurrent or earlier pass did. */
async function requeueExpiredTask(
  task: TaskItem,
  next: NextTry,
  nowMs: number,
  deps: TaskQueueDeps,
): Promise<TaskItem | undefined> {
  const taskId = sha256(`${task.taskId}#requeued`);
  const successor: TaskItem = {
    taskToken: task.taskToken,
    runId: task.runId,
    table: task.table,
    attempt: await allocateAttempt(task.runId, task.table, taskId, deps),
    ...next,
    attemptLimit: task.attemptLimit,
    workerGroup: task.workerGroup,
    ...(task.command !== undefined ? { command: task.command } : {}),
    fields: task.fields,
    reportProgressTimeoutSeconds: task.reportProgressTimeoutSeconds,
    taskId,
    status: 'QUEUED',
    queuedAt: new Date(nowMs).toISOString(),
    scheduledStartTime: task.scheduledStartTime,
  };
  // False when a concurrent pass, or an earlier interrupted one, already created it.
  const created = await putQueuedTask(successor, nowMs, deps);
  await closeExpiredTask(task, 'REQUEUED', { requeuedAs: successor.taskId }, nowMs, deps);
  return created ? successor : undefined;
}

async function failExpiredTask(task: TaskItem, nowMs: number, deps: ReclaimDeps): Promise<boolean> {
  const reason =
    `${task.expiredReason ?? 'The task runner fell silent.'} ` +
    `Attempt ${leaseAttemptOf(task)} of ${task.attemptLimit}; no attempts left.`;
  const cause = failureCause(task, reason);
  try {
    await deps.callbacks.failure(task.taskToken, 'TaskLeaseExpired', cause);
  } catch (error) {
    // Leave the item EXPIRED so the next pass delivers the failure; a stopped execution needs no delivery.
    if (!(error instanceof TaskGoneError)) return false;
  }
  await closeExpiredTask(task, 'FAILED', { outcome: { error: 'TaskLeaseExpired', cause } }, nowMs, deps);
  return true;
}

async function closeExpiredTask(
  task: TaskItem,
  status: 'REQUEUED' | 'FAILED',
  extra: Record<string, unknown>,
  nowMs: number,
  deps: TaskQueueDeps,
): Promise<void> {
  const names: Record<string, string> = { '#status': 'status', '#ttl': 'ttl' };
  const values: Record<string, unknown> = {
    ':status': status,
    ':expired': 'EXPIRED',
    ':ttl': finalTtl(nowMs),
  };
  const sets = ['#status = :status', '#ttl = :ttl'];
  for (const [key, value] of Object.entries(extra)) {
    names[`#${key}`] = key;
    values[`:${key}`] = value;
    sets.push(`#${key} = :${key}`);
  }
  try {
    await deps.documentClient.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: taskKey(task.taskId),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE lpk, leaseExpiresAt`,
        ConditionExpression: '#status = :expired',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
