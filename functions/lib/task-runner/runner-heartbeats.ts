// ReportTaskRunnerHeartbeat: runners say they are alive every few minutes; status tooling lists them per worker
// group. Items expire by TTL, but TTL deletion lags by hours, so "live" is decided by lastSeenAt, not by presence.
import { paginateQuery, PutCommand } from '@aws-sdk/lib-dynamodb';
import { assertWorkerGroupGranted } from './runner-credentials';
import type { Caller } from './runner-credentials';
import type { TaskQueueDeps } from './task-item';
import type { OperationInput } from './validate-request';

/** Data Pipeline's Task Runner heartbeats every 15 minutes; two missed beats and it counts as gone. */
export const RUNNER_LIVE_WINDOW_MS = 30 * 60 * 1000;
const RUNNERS_PK = 'RUNNERS';

export interface LiveRunner {
  taskrunnerId: string;
  workerGroup?: string;
  hostname?: string;
  accessKeyId: string;
  lastSeenAt: string;
}

export async function reportTaskRunnerHeartbeat(
  input: OperationInput<'ReportTaskRunnerHeartbeat'>,
  caller: Caller,
  deps: TaskQueueDeps,
): Promise<{ terminate: boolean }> {
  if (input.workerGroup) assertWorkerGroupGranted(caller, input.workerGroup);
  const nowMs = deps.now();
  const workerGroup = input.workerGroup || undefined;
  await deps.documentClient.send(
    new PutCommand({
      TableName: deps.tableName,
      Item: {
        pk: `RUNNER#${input.taskrunnerId}`,
        sk: `RUNNER#${workerGroup ?? ''}`,
        kind: 'runner',
        gsi1pk: RUNNERS_PK,
        gsi1sk: `${workerGroup ?? ''}#${input.taskrunnerId}`,
        taskrunnerId: input.taskrunnerId,
        workerGroup,
        hostname: input.hostname,
        accessKeyId: caller.accessKeyId,
        lastSeenAt: new Date(nowMs).toISOString(),
        lastSeenAtMs: nowMs,
        ttl: Math.floor((nowMs + RUNNER_LIVE_WINDOW_MS) / 1000) + 24 * 3600,
      },
    }),
  );
  // We never ask a runner to stop; operators revoke its key instead.
  return { terminate: false };
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
        ...(workerGroup === undefined ? {} : { ':prefix': `${workerGroup}#` }),
      },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      // The prefix also matches groups that merely start with "<group>#"; keep exact matches only.
      if (workerGroup !== undefined && item.workerGroup !== workerGroup) continue;
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
