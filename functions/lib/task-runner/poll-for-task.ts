// PollForTask: hand the oldest queued task of the caller's worker group to this caller, or long-poll for one.
// The long poll is a loop of cheap Queries with a jittered sleep, not a held stream: Lambda has no cross-invocation
// wake-up, and DynamoDB Streams would add a fan-out path for a latency gain runners do not need.
import type { Logger } from '@aws-lambda-powertools/logger';
import { assertWorkerGroupGranted } from './runner-credentials';
import type { Caller } from './runner-credentials';
import { TaskGoneError } from './task-callbacks';
import type { TaskCallbacks } from './task-callbacks';
import { toTaskObject } from './task-object';
import type { TaskObject } from './task-object';
import { markTaskCanceled } from './cancel-task';
import { claimNextQueuedTask, releaseUnreceivedClaim } from './claim-task';
import { reclaimExpiredTasks } from './reclaim-expired-tasks';
import type { TaskQueueDeps } from './task-item';
import { recordGroupPolled } from './worker-groups';
import type { OperationInput } from './validate-request';

export const DEFAULT_POLL_WINDOW_MS = 90_000;
export const DEFAULT_POLL_INTERVAL_MS = 500;
const RECLAIM_EVERY_MS = 15_000;

export interface PollDeps extends TaskQueueDeps {
  callbacks: TaskCallbacks;
  /** How long this call may wait for a task; the caller caps it below the Lambda's remaining time. */
  pollWindowMs: number;
  pollIntervalMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Aborted when the poll's client has gone (the local server sees the socket close). */
  signal?: AbortSignal;
  logger?: Pick<Logger, 'warn' | 'info'>;
}

export interface PollForTaskOutput {
  taskObject?: TaskObject;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function pollForTask(
  input: OperationInput<'PollForTask'>,
  caller: Caller,
  deps: PollDeps,
): Promise<PollForTaskOutput> {
  assertWorkerGroupGranted(caller, input.workerGroup);
  // When a runner last asked for this group's work: status tooling tells a stranded queue from a busy one.
  await recordGroupPolled(input.workerGroup, deps).catch((error: unknown) =>
    deps.logger?.warn('Recording the poll failed', { error: error as Error }),
  );
  const holder = { accessKeyId: caller.accessKeyId, ...(input.hostname ? { hostname: input.hostname } : {}) };
  const deadline = deps.now() + deps.pollWindowMs;
  let nextReclaim = 0;
  for (;;) {
    if (deps.signal?.aborted) return {};
    if (deps.now() >= nextReclaim) {
      nextReclaim = deps.now() + RECLAIM_EVERY_MS;
      // Piggy-backing lease expiry on polls means no scheduler is needed for correctness; a failure here must
      // not cost the runner its poll.
      await reclaimExpiredTasks(deps).catch((error: unknown) =>
        deps.logger?.warn('Reclaiming expired tasks failed', { error: error as Error }),
      );
    }
    const task = await claimNextQueuedTask(input.workerGroup, holder, deps);
    if (task) {
      if (await executionStillWaits(task.taskToken, deps)) {
        // Nobody would receive it: back to the queue, so a live poller gets it now, not after the ack window.
        if (deps.signal?.aborted) {
          await releaseUnreceivedClaim(task, deps);
          return {};
        }
        deps.logger?.info('Task handed to runner', {
          taskId: task.taskId,
          runId: task.runId,
          table: task.table,
        });
        return { taskObject: toTaskObject(task) };
      }
      await markTaskCanceled(task.taskId, deps);
      continue;
    }
    const remaining = deadline - deps.now();
    if (remaining <= 0) return {};
    // Jitter keeps a fleet of pollers that started together from querying in lock-step.
    await deps.sleep(Math.min(remaining, deps.pollIntervalMs * (0.5 + Math.random())));
  }
}

/** A run stopped while its task sat in the queue must not be handed out; the heartbeat also starts the clock. */
async function executionStillWaits(token: string, deps: PollDeps): Promise<boolean> {
  try {
    await deps.callbacks.heartbeat(token);
    return true;
  } catch (error) {
    if (error instanceof TaskGoneError) return false;
    deps.logger?.warn('Heartbeat before hand-off failed; handing the task out anyway', {
      error: error as Error,
    });
    return true;
  }
}
