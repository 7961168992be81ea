// The task a progress or status report names, as its caller may see it: only the key that polled a task (its lease
// holder) can report on it. To anyone else it does not exist, the answer Data Pipeline gives for a task the caller
// cannot see, so a key learns nothing about other keys' tasks.
import { TaskNotFoundException } from './protocol-errors';
import { assertWorkerGroupGranted } from './runner-credentials';
import type { Caller } from './runner-credentials';
import { getTask, isIssuedTaskId } from './task-item';
import type { TaskItem, TaskQueueDeps } from './task-item';

export async function findLeasedTask(taskId: string, caller: Caller, deps: TaskQueueDeps): Promise<TaskItem> {
  const task = isIssuedTaskId(taskId) ? await getTask(taskId, deps) : undefined;
  if (!task || task.leaseKey !== caller.accessKeyId) {
    throw new TaskNotFoundException(`Task ${taskId.slice(0, 100)} was not found.`);
  }
  // The holder's key may have lost the worker group since it polled.
  assertWorkerGroupGranted(caller, task.workerGroup);
  return task;
}
