// ReportTaskProgress: the runner's lease renewal. Each report is forwarded to Step Functions as a heartbeat, and a
// heartbeat the execution no longer accepts (run stopped, state timed out) is how the runner learns `canceled`.
import type { Logger } from '@aws-lambda-powertools/logger';
import { TaskNotFoundException } from './protocol-errors';
import { findLeasedTask } from './find-leased-task';
import type { Caller } from './runner-credentials';
import { TaskGoneError } from './task-callbacks';
import type { TaskCallbacks } from './task-callbacks';
import { markTaskCanceled } from './cancel-task';
import { recordTaskProgress } from './record-task-progress';
import { getTask, TaskNotLeasedError } from './task-item';
import type { TaskQueueDeps } from './task-item';
import type { OperationInput } from './validate-request';

export interface ProgressDeps extends TaskQueueDeps {
  callbacks: TaskCallbacks;
  logger?: Pick<Logger, 'warn'>;
}

/** The field a runner reports its table's high-water mark in (docs/incremental-extracts.md); others are ignored. */
export const WATERMARK_FIELD = 'watermark';

export async function reportTaskProgress(
  input: OperationInput<'ReportTaskProgress'>,
  caller: Caller,
  deps: ProgressDeps,
): Promise<{ canceled: boolean }> {
  const task = await findLeasedTask(input.taskId, caller, deps);
  // A canceled task keeps answering `canceled` so a runner that missed the first answer still stops.
  if (task.canceled) return { canceled: true };
  try {
    const watermark = input.fields?.find((field) => field.key === WATERMARK_FIELD)?.stringValue;
    await recordTaskProgress(task.taskId, caller.accessKeyId, deps, watermark);
  } catch (error) {
    if (error instanceof TaskNotLeasedError) {
      // Canceled between the read above and the renewal (a stopped run's cancel): the runner must still stop.
      if ((await getTask(task.taskId, deps))?.canceled) return { canceled: true };
      throw new TaskNotFoundException(`Task ${task.taskId} is not running (expired or finished).`);
    }
    throw error;
  }
  try {
    await deps.callbacks.heartbeat(task.taskToken);
  } catch (error) {
    if (!(error instanceof TaskGoneError)) {
      // Step Functions being briefly unavailable must not cost the runner its lease, which is already renewed.
      deps.logger?.warn('Forwarding the heartbeat failed', { error: error as Error, taskId: task.taskId });
      return { canceled: false };
    }
    await markTaskCanceled(task.taskId, deps);
    return { canceled: true };
  }
  return { canceled: false };
}
