// ReportTaskRunnerHeartbeat: runners say they are alive every few minutes; status tooling lists them per worker
// group. Items expire by TTL, but TTL deletion lags by hours, so "live" is decided by lastSeenAt, not by presence.
import { paginateQuery, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import { AccessDeniedException } from './protocol-errors';
import { assertWorkerGroupGranted } from './runner-credentials';
import type { Caller } from './runner-credentials';
import { RUNNER_LIVE_WINDOW_MS } from './runner-limits';
import { sha256 } from './task-item';
import type { TaskQueueDeps } from './task-item';
import type { OperationInput } from './validate-request';

/** A runner id stays with its key this long after its last beat; then another key may take it over. */
const RUNNER_ID_RETENTION_MS = RUNNER_LIVE_WINDOW_MS + 24 * 3600 * 1000;
const RUNNERS_PK = 'RUNNERS';

// Keys hold hashes, not the ids and group names themselves: a 1,024-character id or group (the protocol's limit)
// may be 4 KB in UTF-8, more than a DynamoDB key takes.
//   owner item:      pk = RUNNER#<sha256 id>  sk = OWNER                    accessKeyId: the key that registered it
//   heartbeat item:  pk = RUNNER#<sha256 id>  sk = GROUP#<sha256 group>     gsi1pk = RUNNERS
//                    gsi1sk = <sha256 group>#<sha256 id> (ungrouped: GROUP# and #<sha256 id>, listed under no group)
const runnerKey = (taskrunnerId: string) => `RUNNER#${sha256(taskrunnerId)}`;
const groupHash = (workerGroup: string | undefined) => (workerGroup === undefined ? '' : sha256(workerGroup));

export interface LiveRunner {
  taskrunnerId: string;
  workerGroup?: string;
  hostname?: string;
  accessKeyId: string;
  lastSeenAt: string;
}

/**
 * Records that a runner is alive. Only for a worker group the key is granted, and only under a runner id that is
 * the key's own: the first key to use an id keeps it while the runner lives, so no key can overwrite another's
 * entry. Without a worker group the beat is kept for the key but listed under no group.
 */
export async function reportTaskRunnerHeartbeat(
  input: OperationInput<'ReportTaskRunnerHeartbeat'>,
  caller: Caller,
  deps: TaskQueueDeps,
): Promise<{ terminate: boolean }> {
  const workerGroup = input.workerGroup || undefined;
  if (workerGroup !== undefined) assertWorkerGroupGranted(caller, workerGroup);
  const nowMs = deps.now();
  const ttl = Math.floor((nowMs + RUNNER_ID_RETENTION_MS) / 1000);
  await claimRunnerId(input.taskrunnerId, caller.accessKeyId, nowMs, ttl, deps);
  await deps.documentClient.send(
    new PutCommand({
      TableName: deps.tableName,
      Item: {
        pk: runnerKey(input.taskrunnerId),
        sk: `GROUP#${groupHash(workerGroup)}`,
        kind: 'runner',
        gsi1pk: RUNNERS_PK,
        gsi1sk: `${groupHash(workerGroup)}#${sha256(input.taskrunnerId)}`,
        taskrunnerId: input.taskrunnerId,
        workerGroup,
        hostname: input.hostname,
        accessKeyId: caller.accessKeyId,
        lastSeenAt: new Date(nowMs).toISOString(),
        lastSeenAtMs: nowMs,
        ttl,
      },
    }),
  );
  // We never ask a runner to stop; operators revoke its key instead.
  return { terminate: false };
}

async function claimRunnerId(
  taskrunnerId: string,
  accessKeyId: string,
  nowMs: number,
  ttl: number,
  deps: TaskQueueDeps,
): Promise<void> {
  try {
    await deps.documentClient.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: {
          pk: runnerKey(taskrunnerId),
          sk: 'OWNER',
          kind: 'runner-owner',
          accessKeyId,
          lastSeenAtMs: nowMs,
          ttl,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR accessKeyId = :key OR lastSeenAtMs < :stale',
        ExpressionAttributeValues: { ':key': accessKeyId, ':stale': nowMs - RUNNER_ID_RETENTION_MS },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    throw new AccessDeniedException('The taskrunnerId is registered to another access key.');
  }
}

export async function listLiveRunners(
  workerGroup: string | undefined,
  deps: TaskQueueDeps,
): Promise<LiveRunner[]> {
  const since = deps.now() - RUNNER_LIVE_WINDOW_MS;
  const runners: LiveRunner[] = [];
  const pages = paginateQuery(
    { client: deps.documentClient },
    {
      TableName: deps.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression:
        workerGroup === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': RUNNERS_PK,
        ...(workerGroup === undefined ? {} : { ':prefix': `${groupHash(workerGroup)}#` }),
      },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      if (Number(item.lastSeenAtMs) < since) continue;
      runners.push({
        taskrunnerId: String(item.taskrunnerId),
        accessKeyId: String(item.accessKeyId),
        lastSeenAt: String(item.lastSeenAt),
        ...(item.workerGroup ? { workerGroup: String(item.workerGroup) } : {}),
        ...(item.hostname ? { hostname: String(item.hostname) } : {}),
      });
    }
  }
  return runners;
}
