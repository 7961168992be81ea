// SetTaskStatus: the runner's final word on a task, forwarded to the waiting execution through its task token.
// FINISHED succeeds the table, FAILED fails it (the state machine's Retry decides about another attempt), and FALSE
// (a precondition not met) succeeds it with status SKIPPED so the run records it as skipped, not failed.
import type { Logger } from '@aws-lambda-powertools/logger';
import { InternalServiceError, InvalidRequestException, TaskNotFoundException } from './protocol-errors';
import { assertWorkerGroupGranted } from './runner-credentials';
import type { Caller } from './runner-credentials';
import { MAX_CAUSE_LENGTH, TaskGoneError } from './task-callbacks';
import type { TaskCallbacks } from './task-callbacks';
import { attemptIdFor } from './task-object';
import { completeTask, reopenTask } from './complete-task';
import { getTask, TaskNotLeasedError } from './task-item';
import type { CompletionStatus } from './complete-task';
import type { TaskItem, TaskQueueDeps } from './task-item';
import type { OperationInput } from './validate-request';

export interface SetStatusDeps extends TaskQueueDeps {
  callbacks: TaskCallbacks;
  logger?: Pick<Logger, 'warn'>;
}

export const DEFAULT_FAILURE_ERROR = 'TaskFailed';
const STACK_TAIL_LENGTH = 4096;

const STATUS_FOR: Record<OperationInput<'SetTaskStatus'>['taskStatus'], CompletionStatus> = {
  FINISHED: 'FINISHED',
  FAILED: 'FAILED',
  FALSE: 'SKIPPED',
};

export function failureCause(errorMessage: string | undefined, errorStackTrace: string | undefined): string {
  const message = errorMessage ?? 'The task runner reported the task as FAILED.';
  const stack = errorStackTrace ? `\n${errorStackTrace.slice(-STACK_TAIL_LENGTH)}` : '';
  // Keep the end of the stack trace (where the error is) and as much of the message as still fits.
  return (message.slice(0, MAX_CAUSE_LENGTH - stack.length) + stack).slice(0, MAX_CAUSE_LENGTH);
}

export async function setTaskStatus(
  input: OperationInput<'SetTaskStatus'>,
  caller: Caller,
  deps: SetStatusDeps,
): Promise<Record<string, never>> {
  if (input.errorId?.startsWith('Service_')) {
    throw new InvalidRequestException("Invalid value for 'errorId': the prefix 'Service_' is reserved.");
  }
  const found = await getTask(input.taskId, deps);
  if (!found) throw new TaskNotFoundException(`Task ${input.taskId} was not found.`);
  assertWorkerGroupGranted(caller, found.workerGroup);

  const status = STATUS_FOR[input.taskStatus];
  const summary = {
    taskId: found.taskId,
    attemptId: attemptIdFor(found),
    attempt: found.attempt,
    runId: found.runId,
    table: found.table,
    workerGroup: found.workerGroup,
    ...(found.leaseOwner ? { runner: found.leaseOwner } : {}),
  };
  const outcome =
    status === 'FAILED'
      ? {
          ...summary,
          error: input.errorId || DEFAULT_FAILURE_ERROR,
          cause: failureCause(input.errorMessage, input.errorStackTrace),
        }
      : status === 'SKIPPED'
        ? { ...summary, status: 'SKIPPED', reason: input.errorMessage || 'A precondition was not met.' }
        : { ...summary, status: 'SUCCEEDED' };

  let task: TaskItem;
  try {
    task = await completeTask(found.taskId, status, outcome, deps);
  } catch (error) {
    if (error instanceof TaskNotLeasedError) {
      throw new TaskNotFoundException(`Task ${input.taskId} is not running (expired or already finished).`);
    }
    throw error;
  }
  try {
    if (status === 'FAILED') {
      const { error, cause } = outcome as { error: string; cause: string };
      await deps.callbacks.failure(task.taskToken, error, cause);
    } else {
      await deps.callbacks.success(task.taskToken, outcome);
    }
  } catch (error) {
    // The execution is gone (stopped or timed out): there is nobody left to tell, and the task stays final.
    if (error instanceof TaskGoneError) return {};
    // Reopen so that the SDK's automatic retry of this 5xx delivers the outcome instead of hitting TaskNotFound.
    await reopenTask(task, deps);
    deps.logger?.warn('Delivering the task outcome failed; task reopened', {
      error: error as Error,
      taskId: task.taskId,
    });
    throw new InternalServiceError('Could not record the task status; retry the call.');
  }
  return {};
}
