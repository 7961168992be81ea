/*
 * A runner task in the task-queue table (one table, generic key names, shared with runner credentials and runner
 * heartbeats). DynamoDB Local stand-ins have no transactions, so every state change is a single conditional
 * write, and multi-step changes (re-queueing) are written so that a retry finishes them.
 *
 * Task item, one per hand-off:       pk = TASK#<taskId>   sk = TASK
 *   taskId      opaque; sha256 of the task token for the first hand-off (so a retried enqueue is idempotent),
 *               sha256 of the previous taskId for re-queued hand-offs (unguessable, deterministic).
 *   status      QUEUED -> LEASED -> FINISHED | FAILED | SKIPPED | CANCELED
 *                         LEASED -> QUEUED (the poll's client was gone before the task reached it)
 *                         LEASED -> EXPIRED (lease lapsed) -> REQUEUED (successor item created) | FAILED
 *   attempt     the table's hand-off number in its run, counted across re-queues and state machine retries
 *               (handoff-counter.ts): attemptId and the tracking record's `attempts` come from it.
 *   leaseAttempt  attempts this queueing has used, against attemptLimit; a lease never acknowledged does not use
 *               one (unacknowledgedReturns counts those, up to MAX_UNACKNOWLEDGED_RETURNS per attempt).
 *   leaseKey    the access key that polled it: the only key whose progress and status reports count.
 *   taskToken, runId, table, attemptLimit, workerGroup, command, fields (map of job arguments),
 *   reportProgressTimeoutSeconds, queuedAt, scheduledStartTime, leaseOwner (key/hostname), leasedAt,
 *   leaseExpiresAt (epoch ms), acknowledged, canceled, outcome, reportedWatermark, ttl (epoch s; set once the
 *   item is final).
 *
 * GSI `gsi1` (sparse, gsi1pk/gsi1sk; projects a few listing attributes, never secrets), keys set only while QUEUED:
 *   gsi1pk = QUEUED#<workerGroup>  gsi1sk = <queuedAt epoch ms, 15 digits>#<taskId>
 *   (QUEUEDH#<sha256 of workerGroup> for a group over 1,024 bytes in UTF-8: a key holds at most 2,048 bytes)
 *   -> a poller Queries its exact worker group, oldest first; claiming removes both keys in the same update.
 * GSI `leases` (sparse, keys only, lpk/leaseExpiresAt), keys set only while LEASED or EXPIRED:
 *   lpk = LEASES  leaseExpiresAt = epoch ms
 *   -> reclaimExpiredTasks Queries leaseExpiresAt < now. One partition is plenty for a few thousand running
 *      extracts; shard lpk by worker group if it ever is not.
 * The same gsi1 also lists credentials (gsi1pk = CREDENTIALS) and live runners (gsi1pk = RUNNERS).
 */
import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const QUEUE_INDEX = 'gsi1';
export const LEASE_INDEX = 'leases';
export const LEASES_PK = 'LEASES';
/** Data Pipeline's rule: a handed-out task must be acknowledged by a first progress report within 2 minutes. */
export const ACKNOWLEDGE_TIMEOUT_MS = 2 * 60 * 1000;
/**
 * A lease never acknowledged goes back to the queue without using an attempt (its poll's client may simply have
 * given up), but only this many times per attempt: a runner that polls and never acknowledges cannot keep a task
 * circling forever; past this, an unacknowledged lease uses an attempt like a silent one.
 */
export const MAX_UNACKNOWLEDGED_RETURNS = 3;
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
  workerGroup: string;
  command?: string;
  fields: Record<string, string>;
  reportProgressTimeoutSeconds: number;
  attemptLimit: number;
}

export interface TaskItem extends NewTask {
  taskId: string;
  attempt: number;
  leaseAttempt: number;
  unacknowledgedReturns?: number;
  status: TaskStatus;
  queuedAt: string;
  scheduledStartTime: string;
  leaseOwner?: string;
  leaseKey?: string;
  leasedAt?: string;
  leaseExpiresAt?: number;
  acknowledged?: boolean;
  canceled?: boolean;
  expiredReason?: string;
  requeuedAs?: string;
  outcome?: Record<string, unknown>;
  /** The `watermark` field of the lease holder's last progress report that had one; sent on with FINISHED. */
  reportedWatermark?: string;
  ttl?: number;
}

/** The task is not (or no longer) leased: unknown, expired, canceled or already finished. */
export class TaskNotLeasedError extends Error {
  override name = 'TaskNotLeasedError';
}

export const taskKey = (taskId: string) => ({ pk: `TASK#${taskId}`, sk: 'TASK' });
export const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
/**
 * Every task id the endpoint issues is a base64url sha256. Anything else names no task, and is answered without a
 * lookup: a 2,048-character id (the protocol's limit) would not even fit a DynamoDB key.
 */
export const isIssuedTaskId = (taskId: string) => /^[A-Za-z0-9_-]{43}$/.test(taskId);
const queueSortKey = (queuedAtMs: number, taskId: string) =>
  `${String(queuedAtMs).padStart(15, '0')}#${taskId}`;
export const finalTtl = (nowMs: number) => Math.floor(nowMs / 1000) + FINISHED_RETENTION_SECONDS;

export function toTaskItem(item: Record<string, unknown>): TaskItem {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, lpk: _l, kind: _k, ...task } = item;
  return task as unknown as TaskItem;
}

/** The queue partition of a worker group; the hashed form has its own prefix, so no group name can collide. */
export const queuePartition = (workerGroup: string) =>
  Buffer.byteLength(workerGroup) <= 1024 ? `QUEUED#${workerGroup}` : `QUEUEDH#${sha256(workerGroup)}`;

export const queueKeys = (task: Pick<TaskItem, 'workerGroup' | 'taskId'>, queuedAtMs: number) => ({
  gsi1pk: queuePartition(task.workerGroup),
  gsi1sk: queueSortKey(queuedAtMs, task.taskId),
});

export function queuedItem(task: TaskItem, queuedAtMs: number): Record<string, unknown> {
  return { ...taskKey(task.taskId), kind: 'task', ...queueKeys(task, queuedAtMs), ...task };
}

/** The attempts a task's queueing has used; items written before leaseAttempt existed counted in `attempt`. */
export const leaseAttemptOf = (task: TaskItem) => task.leaseAttempt ?? task.attempt;

export async function getTask(taskId: string, deps: TaskQueueDeps): Promise<TaskItem | undefined> {
  const { Item } = await deps.documentClient.send(
    new GetCommand({ TableName: deps.tableName, Key: taskKey(taskId), ConsistentRead: true }),
  );
  return Item ? toTaskItem(Item) : undefined;
}
