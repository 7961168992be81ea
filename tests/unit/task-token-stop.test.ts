// A `.waitForTaskToken` state of a stopped execution, in the real interpreter: the state ends at once, leaving no
// timer, is neither retried (which would queue the table again after the stop) nor caught (the queueing function
// is called once), and its token is forgotten. Before, it
// waited for ever, and its 24-hour timeout timer kept the stopped execution alive (a serve instance kept one per
// cancelled runner table; Jest could not exit).
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { createJobBackend } from '../../local/runtime/job-backend';
import type { LambdaHandler } from '../../local/runtime/lambda-functions';
import { runPipeline, type PipelineEvent } from '../../local/runtime/run-pipeline';
import { LocalTaskTokens, TOKEN_PLACEHOLDER } from '../../local/runtime/task-token-bridge';

const DEFINITION = {
  StartAt: 'Wait For Runner',
  States: {
    'Wait For Runner': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'Enqueue', Payload: { 'task_token.$': '$$.Task.Token' } },
      TimeoutSeconds: 86400,
      Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 3 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Record Outcome' }],
      Next: 'Record Outcome',
    },
    'Record Outcome': { Type: 'Pass', End: true },
  },
} as unknown as StateMachineDefinition;

test('a stopped execution’s task-token state ends without retry or Catch, its token forgotten', async () => {
  // Prepare: the queueing function is called, then the execution is stopped while it waits for the token
  const stop = new AbortController();
  const tokens = new LocalTaskTokens();
  const enqueued: string[] = [];
  const enqueue = (async (payload: { task_token: string }) => {
    enqueued.push(payload.task_token);
    setImmediate(() => stop.abort());
    return {};
  }) as LambdaHandler;
  const events: string[] = [];
  // The interpreter arms the state's TimeoutSeconds (24 h) with setTimeout and clears it when the state ends.
  const dayTimers = new Set<unknown>();
  const setTimer = jest.spyOn(global, 'setTimeout');
  const clearTimer = jest.spyOn(global, 'clearTimeout');

  // Act
  const run = await runPipeline({
    definition: DEFINITION,
    input: {},
    handlers: { Enqueue: enqueue },
    backend: createJobBackend(),
    taskTokens: tokens,
    retryDelayMs: 1,
    signal: stop.signal,
    onEvent: (event: PipelineEvent) => {
      const { type, state } = event as { type: string; state?: { name: string } };
      events.push(`${type}${state ? ` ${state.name}` : ''}`);
    },
  });
  // The state's end runs on the microtasks after the stop.
  await new Promise((resolve) => setImmediate(resolve));

  // Assess
  expect(run.status).toBe('ABORTED');
  // The state ended: its 24-hour TimeoutSeconds timer was armed, then cleared.
  setTimer.mock.calls.forEach(
    ([, ms], i) => ms === 86_400_000 && dayTimers.add(setTimer.mock.results[i]!.value),
  );
  expect(dayTimers.size).toBe(1);
  expect(clearTimer.mock.calls.filter(([timer]) => dayTimers.has(timer))).toHaveLength(1);
  setTimer.mockRestore();
  clearTimer.mockRestore();
  expect(enqueued).toHaveLength(1);
  expect(enqueued[0]).not.toBe(TOKEN_PLACEHOLDER);
  expect(tokens.pending).toBe(0);
  await expect(tokens.success(enqueued[0]!, {})).rejects.toThrow(/TaskDoesNotExist/);
  expect(events).toEqual(['ExecutionStarted', 'StateEntered Wait For Runner', 'ExecutionAborted']);
});
