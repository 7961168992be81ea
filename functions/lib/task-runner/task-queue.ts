/*
 * The runner task queue, in the task-queue table (one table, generic key names, shared with runner credentials
 * and runner heartbeats). DynamoDB Local stand-ins have no transactions, so every state change is a single
 * conditional write, and multi-step changes (re-queueing) are written so that a retry finishes them.
 *
 * Task item, one per attempt:        pk = TASK#<taskId>   sk = TASK
 *   taskId      opaque; sha256 of the task token for the first attempt (so a retried enqueue is idempotent),
 *               sha256 of the previous taskId + attempt for re-queued attempts (unguessable, deterministic).
 *   status      QUEUED -> LEASED -> FINISHED | FAILED | SKIPPED | CANCELED
 *                         LEASED -> EXPIRED (lease lapsed) -> REQUEUED (successor item created) | FAILED
 *   taskToken, runId, table, attempt, attemptLimit, workerGroup, command, fields (map of job arguments),
 *   reportProgressTimeoutSeconds, queuedAt, scheduledStartTime, leaseOwner, leasedAt, leaseExpiresAt (epoch ms),
 *   acknowledged, canceled, outcome, ttl (epoch s; set once the item is final, DynamoDB TTL removes it later).
 *
 * GSI `gsi1` (sparse, gsi1pk/gsi1sk; projects a few listing attributes, never secrets), keys set only while QUEUED:
 *   gsi1pk = QUEUED#<workerGroup>  gsi1sk = <queuedAt epoch ms, 15 digits>#<taskId>
 *   -> a poller Queries its exact worker group, oldest first; claiming removes both keys in the same update.
 * GSI `leases` (sparse, keys only, lpk/leaseExpiresAt), keys set only while LEASED or EXPIRED:
 *   lpk = LEASES  leaseExpiresAt = epoch ms
 *   -> reclaimExpiredTasks Queries leaseExpiresAt < now. One partition is plenty for a few thousand running
 *      extracts; shard lpk by worker group if it ever is not.
 * The same gsi1 also lists credentials (gsi1pk = CREDENTIALS) and live runners (gsi1pk = RUNNERS).
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MAX_CAUSE_LENGTH, TaskGoneError } from './task-callbacks';
import type { TaskCallbacks } from './task-callbacks';
import { isConditionFailure } from '../is-condition-failure';

export const QUEUE_INDEX = 'gsi1';
export const LEASE_INDEX = 'leases';
const LEASES_PK = 'LEASES';
/** Data Pipeline's rule: a handed-out task must be acknowledged by a first progress report within 2 minutes. */
export const ACKNOWLEDGE_TIMEOUT_MS = 2 * 60 * 1000;
export const DEFAULT_REPORT_PROGRESS_TIMEOUT_SECONDS = 900;
export const DEFAULT_ATTEMPT_LIMIT = 3;
/** Finished task items stay readable (for status tooling and late SetTaskStatus answers) for a week. */
export const FINISHED_RETENTION_SECONDS = 7 * 24 * 3600;

export type TaskStatus =
  'QUEUED' | 'LEASED' | 'EXPIRED' | 'REQUEUED' | 'FINISHED' | 'FAILED' | 'SKIPPED' | 'CANCELED';

export interface TaskQueueDeps {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  now: () => number;
}

export interface NewTask {
  taskToken: string;
  runId: string;
  table: string;
  attempt: number;
  workerGroup: string;
  command?: string;
  fields: Record<string, string>;
  reportProgressTimeoutSeconds: number;
  attemptLimit: number;
}

export interface TaskItem extends NewTask {
  taskId: string;
  status: TaskStatus;
  queuedAt: string;
  scheduledStartTime: string;
  leaseOwner?: string;
  leasedAt?: string;
  leaseExpiresAt?: number;
  acknowledged?: boolean;
  canceled?: boolean;
  expiredReason?: string;
  requeuedAs?: string;
  outcome?: Record<string, unknown>;
  ttl?: number;
}

/** The task is not (or no longer) leased: unknown, expired, canceled or already finished. */
export class TaskNotLeasedError extends Error {
  override name = 'TaskNotLeasedError';
}

export const taskKey = (taskId: string) => ({ pk: `TASK#${taskId}`, sk: 'TASK' });
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
const queueSortKey = (queuedAtMs: number, taskId: string) =>
  `${String(queuedAtMs).padStart(15, '0')}#${taskId}`;
const finalTtl = (nowMs: number) => Math.floor(nowMs / 1000) + FINISHED_RETENTION_SECONDS;

function toTaskItem(item: Record<string, unknown>): TaskItem {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, lpk: _l, kind: _k, ...task } = item;
  return task as unknown as TaskItem;
}

function queuedItem(task: TaskItem, queuedAtMs: number): Record<string, unknown> {
  return {
    ...taskKey(task.taskId),
    kind: 'task',
    gsi1pk: `QUEUED#${task.workerGroup}`,
    gsi1sk: queueSortKey(queuedAtMs, task.taskId),
    ...task,
  };
}

/** Idempotent: a retried invocation with the same task token finds the task it already queued. */
export async function enqueueTask(input: NewTask, deps: TaskQueueDeps): Promise<TaskItem> {
  const nowMs = deps.now();
  const at = new Date(nowMs).toISOString();
  const task: TaskItem = {
    ...input,
    taskId: sha256(input.taskToken),
    status: 'QUEUED',
    queuedAt: at,
    scheduledStartTime: at,
  };
  try {
    await deps.documentClient.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: queuedItem(task, nowMs),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return task;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const existing = await getTask(task.taskId, deps);
    if (!existing) throw error;
    return existing;
  }
}

export async function getTask(taskId: string, deps: TaskQueueDeps): Promise<TaskItem | undefined> {
  const { Item } = await deps.documentClient.send(
    new GetCommand({ TableName: deps.tableName, Key: taskKey(taskId), ConsistentRead: true }),
  );
  return Item ? toTaskItem(Item) : undefined;
}

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

/** A progress report: acknowledges the task and extends its lease by its reportProgressTimeout. */
export async function recordTaskProgress(taskId: string, deps: TaskQueueDeps): Promise<TaskItem> {
  const nowMs = deps.now();
  const task = await getTask(taskId, deps);
  if (!task || task.status !== 'LEASED') throw new TaskNotLeasedError(`Task ${taskId} is not running.`);
  try {
    const { Attributes } = await deps.documentClient.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: taskKey(taskId),
        UpdateExpression: 'SET leaseExpiresAt = :expires, acknowledged = :true, lastProgressAt = :at',
        ConditionExpression: '#status = :leased AND leaseExpiresAt >= :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':expires': nowMs + task.reportProgressTimeoutSeconds * 1000,
          ':true': true,
          ':at': new Date(nowMs).toISOString(),
          ':leased': 'LEASED',
          ':now': nowMs,
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

export type CompletionStatus = 'FINISHED' | 'FAILED' | 'SKIPPED' | 'CANCELED';

/**
 * Moves a live task to its final status. Exactly one caller wins, so the state machine hears one outcome even if
 * a runner retries SetTaskStatus or races the lease reaper.
 */
export async function completeTask(
  taskId: string,
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
        ConditionExpression: '#status = :leased AND leaseExpiresAt >= :now',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
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
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.documentClient.send(
      new QueryCommand({
        TableName: deps.tableName,
        IndexName: LEASE_INDEX,
        KeyConditionExpression: 'lpk = :lpk AND leaseExpiresAt < :now',
        ExpressionAttributeValues: { ':lpk': LEASES_PK, ':now': nowMs },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const key of page.Items ?? []) {
      // The index is eventually consistent and keys-only: decide on a fresh, consistent read of the item.
      const current = await getTask(String(key.pk).slice('TASK#'.length), deps);
      const task = current && (await expireLease(current, nowMs, deps));
      if (!task) continue;
      if (task.attempt < task.attemptLimit) {
        const successorTaskId = await requeueExpiredTask(task, nowMs, deps);
        if (successorTaskId)
          result.requeued.push({ taskId: task.taskId, successorTaskId, attempt: task.attempt + 1 });
      } else if (await failExpiredTask(task, nowMs, deps)) {
        result.failed.push({ taskId: task.taskId, reason: task.expiredReason ?? '' });
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
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

/** Returns the successor's id if this call created it; undefined if a concurrent or earlier pass did. */
async function requeueExpiredTask(
  task: TaskItem,
  nowMs: number,
  deps: TaskQueueDeps,
): Promise<string | undefined> {
  const successor: TaskItem = {
    taskToken: task.taskToken,
    runId: task.runId,
    table: task.table,
    attempt: task.attempt + 1,
    attemptLimit: task.attemptLimit,
    workerGroup: task.workerGroup,
    ...(task.command !== undefined ? { command: task.command } : {}),
    fields: task.fields,
    reportProgressTimeoutSeconds: task.reportProgressTimeoutSeconds,
    taskId: sha256(`${task.taskId}#${task.attempt + 1}`),
    status: 'QUEUED',
    queuedAt: new Date(nowMs).toISOString(),
    scheduledStartTime: task.scheduledStartTime,
  };
  let created = true;
  try {
    await deps.documentClient.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: queuedItem(successor, nowMs),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    // A concurrent pass, or an earlier interrupted one, already created it.
    if (!isConditionFailure(error)) throw error;
    created = false;
  }
  await closeExpiredTask(task, 'REQUEUED', { requeuedAs: successor.taskId }, nowMs, deps);
  return created ? successor.taskId : undefined;
}

async function failExpiredTask(task: TaskItem, nowMs: number, deps: ReclaimDeps): Promise<boolean> {
  const reason = task.expiredReason ?? 'The task runner fell silent.';
  const cause = `${reason} Attempt ${task.attempt} of ${task.attemptLimit}; no attempts left.`;
  try {
    await deps.callbacks.failure(task.taskToken, 'TaskLeaseExpired', cause.slice(0, MAX_CAUSE_LENGTH));
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
