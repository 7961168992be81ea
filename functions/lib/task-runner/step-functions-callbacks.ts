// The Step Functions side of TaskCallbacks: each callback is SendTaskSuccess, SendTaskFailure or
// SendTaskHeartbeat with the task's token, and a token the execution no longer waits for becomes a TaskGoneError.
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { MAX_CAUSE_LENGTH, MAX_ERROR_LENGTH, TaskGoneError, type TaskCallbacks } from './task-callbacks';

const GONE_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

async function translateGone(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    const name = (error as Error).name;
    if (GONE_ERRORS.has(name)) throw new TaskGoneError(`${name}: ${(error as Error).message}`);
    throw error;
  }
}

export function createStepFunctionsCallbacks(sfn: SFNClient): TaskCallbacks {
  return {
    success: (token, output) =>
      translateGone(() =>
        sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) })),
      ),
    failure: (token, error, cause) =>
      translateGone(() =>
        sfn.send(
          new SendTaskFailureCommand({
            taskToken: token,
            error: error.slice(0, MAX_ERROR_LENGTH),
            cause: cause.slice(-MAX_CAUSE_LENGTH),
          }),
        ),
      ),
    heartbeat: (token) => translateGone(() => sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }))),
  };
}
