// SetTaskStatus: the lease holder's final word on a task, forwarded to the waiting execution through its task token.
// FINISHED succeeds the table, FAILED fails it (the state machine's Retry decides about another attempt), and FALSE
// (a precondition not met) succeeds it with status SKIPPED so the run records it as skipped, not failed.
import type { Logger } from '@aws-lambda-powertools/logger';
import { completeTask, reopenTask } from './complete-task';
import type { CompletionStatus } from './complete-task';
import { InternalServiceError, InvalidRequestException, TaskNotFoundException } from './protocol-errors';
import type { Caller } from './runner-credentials';
import { MAX_ERROR_LENGTH, TaskGoneError } from './task-callbacks';
import type { TaskCallbacks } from './task-callbacks';
import { TaskNotLeasedError } from './task-item';
import type { TaskItem, TaskQueueDeps } from './task-item';
import { findLeasedTask } from './find-leased-task';
import { failureCause, taskSummary } from './task-outcome';
import type { OperationInput } from './validate-request';

export interface SetStatusDeps extends TaskQueueDeps {
  callbacks: TaskCallbacks;
  logger?: Pick<Logger, 'warn'>;
}

export const DEFAULT_FAILURE_ERROR = 'TaskFailed';

const STATUS_FOR: Record<OperationInput<'SetTaskStatus'>['taskStatus'], CompletionStatus> = {
  FINISHED: 'FINISHED',
  FAILED: 'FAILED',
  FALSE: 'SKIPPED',
};

/** The runner's message, then its stack trace (the endpoint caps both; the cause is cut to fit from the start). */
export function runnerFailureReason(
  errorMessage: string | undefined,
  errorStackTrace: string | undefined,
): string {
  const message = errorMessage ?? 'The task runner reported the task as FAILED.';
  return errorStackTrace ? `${message}\n${errorStackTrace}` : message;
}

export async function setTaskStatus(
  input: OperationInput<'SetTaskStatus'>,
  caller: Caller,
  deps: SetStatusDeps,
): Promise<Record<string, never>> {
  if (input.errorId?.startsWith('Service_')) {
    throw new InvalidRequestException("Invalid value for 'errorId': the prefix 'Service_' is reserved.");
  }
  const found = await findLeasedTask(input.taskId, caller, deps);
  const status = STATUS_FOR[input.taskStatus];
  const summary = taskSummary(found);
  const error = (input.errorId || DEFAULT_FAILURE_ERROR).slice(0, MAX_ERROR_LENGTH);
  const cause = failureCause(found, runnerFailureReason(input.errorMessage, input.errorStackTrace));
  const outcome =
    status === 'FAILED'
      ? { ...summary, error, cause }
      : status === 'SKIPPED'
        ? { ...summary, status: 'SKIPPED', reason: input.errorMessage || 'A precondition was not met.' }
        : {
            ...summary,
            status: 'SUCCEEDED',
            // The table's high-water mark, reported in ReportTaskProgress `fields` (SetTaskStatus has none).
            ...(found.reportedWatermark !== undefined ? { watermark: found.reportedWatermark } : {}),
          };

  let task: TaskItem;
  try {
    task = await completeTask(found.taskId, caller.accessKeyId, status, outcome, deps);
  } catch (caught) {
    if (caught instanceof TaskNotLeasedError) {
      throw new TaskNotFoundException(`Task ${found.taskId} is not running (expired or already finished).`);
    }
    throw caught;
  }
  try {
    if (status === 'FAILED') await deps.callbacks.failure(task.taskToken, error, cause);
    else await deps.callbacks.success(task.taskToken, outcome);
  } catch (caught) {
    // The execution is gone (stopped or timed out): there is nobody left to tell, and the task stays final.
    if (caught instanceof TaskGoneError) return {};
    // Reopen so that the SDK's automatic retry of this 5xx delivers the outcome instead of hitting TaskNotFound.
    await reopenTask(task, deps);
    deps.logger?.warn('Delivering the task outcome failed; task reopened', {
      error: caught as Error,
      taskId: task.taskId,
    });
    throw new InternalServiceError('Could not record the task status; retry the call.');
  }
  return {};
}
