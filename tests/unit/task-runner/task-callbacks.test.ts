import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { createStepFunctionsCallbacks } from '../../../functions/lib/task-runner/step-functions-callbacks';
import { TaskGoneError } from '../../../functions/lib/task-runner/task-callbacks';

describe('Step Functions task callbacks', () => {
  const sfn = mockClient(SFNClient);
  const callbacks = createStepFunctionsCallbacks(new SFNClient({ region: 'us-east-1' }));

  beforeEach(() => sfn.reset());

  it('sends the outcome as the JSON output of SendTaskSuccess', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    await callbacks.success('token-1', { status: 'SKIPPED', reason: 'empty source' });

    // Assess
    const [call] = sfn.commandCalls(SendTaskSuccessCommand);
    expect(call?.args[0].input).toEqual({
      taskToken: 'token-1',
      output: '{"status":"SKIPPED","reason":"empty source"}',
    });
  });

  it('fits the error and cause into SendTaskFailure limits, keeping the end of the cause', async () => {
    // Prepare
    sfn.on(SendTaskFailureCommand).resolves({});
    const cause = `${'a'.repeat(40_000)}the real error`;

    // Act
    await callbacks.failure('token-2', 'E'.repeat(300), cause);

    // Assess
    const input = sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input;
    expect(input?.error).toHaveLength(256);
    expect(input?.cause).toHaveLength(32768);
    expect(input?.cause?.endsWith('the real error')).toBe(true);
  });

  it('turns TaskTimedOut into TaskGoneError so the endpoint can cancel the task', async () => {
    // Prepare
    sfn.on(SendTaskHeartbeatCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    // Act
    const attempt = callbacks.heartbeat('token-3');

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(TaskGoneError);
  });

  it('lets other Step Functions errors through, so callers can retry', async () => {
    // Prepare
    sfn
      .on(SendTaskHeartbeatCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act
    const attempt = callbacks.heartbeat('token-4');

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
