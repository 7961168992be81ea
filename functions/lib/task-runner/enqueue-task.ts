// Queueing a runner task: the state machine's enqueue Lambda writes one QUEUED item per task token.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import { allocateAttempt } from './handoff-counter';
import { registerWorkerGroup } from './worker-groups';
import { getTask, queuedItem, sha256 } from './task-item';
import type { NewTask, TaskItem, TaskQueueDeps } from './task-item';

/** Idempotent: a retried invocation with the same task token finds the task it already queued. */
export async function enqueueTask(input: NewTask, deps: TaskQueueDeps): Promise<TaskItem> {
  const taskId = sha256(input.taskToken);
  const existing = await getTask(taskId, deps);
  if (existing) return existing;
  // Listed before it is queued: a group nobody polls is still measured and shown waiting.
  await registerWorkerGroup(input.workerGroup, deps);
  const nowMs = deps.now();
  const at = new Date(nowMs).toISOString();
  const task: TaskItem = {
    ...input,
    taskId,
    attempt: await allocateAttempt(input.runId, input.table, taskId, deps),
    leaseAttempt: 1,
    status: 'QUEUED',
    queuedAt: at,
    scheduledStartTime: at,
  };
  if (await putQueuedTask(task, nowMs, deps)) return task;
  const raced = await getTask(taskId, deps);
  if (!raced) throw new Error(`Task ${taskId} exists but could not be read.`);
  return raced;
}

/** Writes a new QUEUED item; false if an item with its id already exists (a retry, or a concurrent pass). */
export async function putQueuedTask(task: TaskItem, nowMs: number, deps: TaskQueueDeps): Promise<boolean> {
  try {
    await deps.documentClient.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: queuedItem(task, nowMs),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return false;
  }
}
