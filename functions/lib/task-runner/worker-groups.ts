// The worker groups the task queue knows, with when a runner last polled each: status tooling shows how long a
// waiting table's group has had no runner, and the scheduled reclaim publishes queue depth and live runners per
// group. One item per group, touched by the enqueue (a group nobody ever polled is listed too) and by PollForTask
// (only for a group the caller's key is granted, so a key can only mark its own groups as polled).
//
//   group item:  pk = WORKERGROUP#<sha256 group>  sk = WORKERGROUP   gsi1pk = WORKER_GROUPS  gsi1sk = <sha256 group>
//                workerGroup, lastSeenAt / lastSeenAtMs (the last poll; absent until a runner polls), ttl
// The attributes reuse the names gsi1 already projects for heartbeats, so listing them needs no index change.
import { paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import { QUEUE_INDEX, queuePartition, sha256 } from './task-item';
import type { TaskQueueDeps } from './task-item';

const GROUPS_PK = 'WORKER_GROUPS';
/** A group's item outlives its last use by a week (TTL): groups no longer used drop off the listing. */
const GROUP_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** A poll refreshes the group's item at most this often: a fleet of runners long-polling writes little. */
export const POLL_RECORD_INTERVAL_MS = 15_000;

const groupKey = (workerGroup: string) => ({ pk: `WORKERGROUP#${sha256(workerGroup)}`, sk: 'WORKERGROUP' });

export interface WorkerGroupActivity {
  workerGroup: string;
  /** When a runner last polled the group; undefined if none ever did (within the item's retention). */
  lastPolledAt?: string;
}

function listingValues(workerGroup: string, nowMs: number) {
  return {
    ':kind': 'worker-group',
    ':group': workerGroup,
    ':gpk': GROUPS_PK,
    ':gsk': sha256(workerGroup),
    ':ttl': Math.floor((nowMs + GROUP_RETENTION_MS) / 1000),
  };
}

const LISTING_SET = 'kind = :kind, workerGroup = :group, gsi1pk = :gpk, gsi1sk = :gsk, #ttl = :ttl';

/** The enqueue registers the group, so a queue nobody polls is still listed (and measured). */
export async function registerWorkerGroup(workerGroup: string, deps: TaskQueueDeps): Promise<void> {
  await deps.documentClient.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: groupKey(workerGroup),
      UpdateExpression: `SET ${LISTING_SET}`,
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: listingValues(workerGroup, deps.now()),
    }),
  );
}

/** A runner polled the group (its key is granted it: the caller checked). At most one write per interval. */
export async function recordGroupPolled(workerGroup: string, deps: TaskQueueDeps): Promise<void> {
  const nowMs = deps.now();
  try {
    await deps.documentClient.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: groupKey(workerGroup),
        UpdateExpression: `SET ${LISTING_SET}, lastSeenAt = :at, lastSeenAtMs = :now`,
        ConditionExpression: 'attribute_not_exists(lastSeenAtMs) OR lastSeenAtMs < :recent',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ...listingValues(workerGroup, nowMs),
          ':at': new Date(nowMs).toISOString(),
          ':now': nowMs,
          ':recent': nowMs - POLL_RECORD_INTERVAL_MS,
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

export async function readWorkerGroup(
  workerGroup: string,
  deps: Omit<TaskQueueDeps, 'now'>,
): Promise<WorkerGroupActivity> {
  const { Item } = await deps.documentClient.send(
    new GetCommand({ TableName: deps.tableName, Key: groupKey(workerGroup) }),
  );
  return { workerGroup, ...(Item?.lastSeenAt ? { lastPolledAt: String(Item.lastSeenAt) } : {}) };
}

export async function listWorkerGroups(deps: Omit<TaskQueueDeps, 'now'>): Promise<WorkerGroupActivity[]> {
  const groups: WorkerGroupActivity[] = [];
  const pages = paginateQuery(
    { client: deps.documentClient },
    {
      TableName: deps.tableName,
      IndexName: QUEUE_INDEX,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': GROUPS_PK },
    },
  );
  for await (const page of pages)
    for (const item of page.Items ?? [])
      groups.push({
        workerGroup: String(item.workerGroup),
        ...(item.lastSeenAt ? { lastPolledAt: String(item.lastSeenAt) } : {}),
      });
  return groups;
}

/** How many tasks wait in the group's queue: a COUNT Query of its queue partition (keys only read). */
export async function countQueuedTasks(
  workerGroup: string,
  deps: Omit<TaskQueueDeps, 'now'>,
): Promise<number> {
  let count = 0;
  const pages = paginateQuery(
    { client: deps.documentClient },
    {
      TableName: deps.tableName,
      IndexName: QUEUE_INDEX,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': queuePartition(workerGroup) },
      Select: 'COUNT',
    },
  );
  for await (const page of pages) count += page.Count ?? 0;
  return count;
}
