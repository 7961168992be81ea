import {
  PollForTaskCommand,
  ReportTaskProgressCommand,
  ReportTaskRunnerHeartbeatCommand,
  SetTaskStatusCommand,
} from '@aws-sdk/client-data-pipeline';
import type { DataPipelineClient } from '@aws-sdk/client-data-pipeline';
import { listLiveRunners } from '../../functions/lib/task-runner/runner-heartbeats';
import { RUNNER_LIVE_WINDOW_MS } from '../../functions/lib/task-runner/runner-limits';
import { reclaimExpiredTasks } from '../../functions/lib/task-runner/reclaim-expired-tasks';
import { MAX_UNACKNOWLEDGED_RETURNS } from '../../functions/lib/task-runner/task-item';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';

jest.setTimeout(15_000);

const MINUTE = 60_000;

describe('a task handed to a runner', () => {
  let endpoint: Endpoint;
  let client: DataPipelineClient;
  let group = 0;
  let workerGroup: string;

  beforeAll(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 300, pollIntervalMs: 50 });
  });
  afterAll(() => endpoint.close());

  beforeEach(async () => {
    // Each test gets its own worker group, so leases left by one test never reach another.
    workerGroup = `wg-life-${++group}`;
    client = endpoint.client(await endpoint.issueCredential([workerGroup]));
  });

  async function pollOne(): Promise<string> {
    const { taskObject } = await client.send(new PollForTaskCommand({ workerGroup }));
    if (!taskObject?.taskId) throw new Error('expected a task');
    return taskObject.taskId;
  }

  it('stays with its runner while progress is reported within reportProgressTimeout', async () => {
    // Prepare
    const queued = await endpoint.enqueue({ workerGroup, reportProgressTimeoutSeconds: 600 });
    const taskId = await pollOne();

    // Act
    const first = await client.send(new ReportTaskProgressCommand({ taskId }));
    endpoint.advanceClock(9 * MINUTE);
    const second = await client.send(new ReportTaskProgressCommand({ taskId }));
    endpoint.advanceClock(9 * MINUTE);
    const reclaimed = await reclaimExpiredTasks({ ...endpoint.deps, callbacks: endpoint.callbacks });

    // Assess
    expect(first.canceled).toBe(false);
    expect(second.canceled).toBe(false);
    expect(reclaimed.requeued.map((r) => r.taskId)).not.toContain(queued.taskId);
    expect(await endpoint.task(taskId)).toMatchObject({ status: 'LEASED', acknowledged: true });
    expect(
      endpoint.callbacks.calls.filter((c) => c.token === queued.taskToken && c.kind === 'heartbeat'),
    ).toHaveLength(
      3, // one at hand-off, one per progress report
    );
  });

  it('goes back to the queue without using an attempt when its runner never acknowledges it', async () => {
    // Prepare: one attempt only, handed to a runner that never reports (its client gave up, say).
    const queued = await endpoint.enqueue({ workerGroup, runId: workerGroup, attemptLimit: 1 });
    const firstTaskId = await pollOne();

    // Act
    endpoint.advanceClock(2 * MINUTE + 1_000);
    const { taskObject } = await client.send(new PollForTaskCommand({ workerGroup }));

    // Assess: a live poller gets it as a new hand-off, and the one attempt is still there to use.
    expect(taskObject?.taskId).not.toBe(firstTaskId);
    expect(taskObject?.attemptId).toBe(`@orders_${queued.runId}_Attempt=2`);
    expect(await endpoint.task(firstTaskId)).toMatchObject({
      status: 'REQUEUED',
      requeuedAs: taskObject?.taskId,
    });
    expect(await endpoint.task(taskObject!.taskId!)).toMatchObject({
      status: 'LEASED',
      attempt: 2,
      leaseAttempt: 1,
      unacknowledgedReturns: 1,
    });
    await expect(client.send(new ReportTaskProgressCommand({ taskId: firstTaskId }))).rejects.toMatchObject({
      name: 'TaskNotFoundException',
    });
    await client.send(new ReportTaskProgressCommand({ taskId: taskObject!.taskId! }));
    await client.send(new SetTaskStatusCommand({ taskId: taskObject!.taskId!, taskStatus: 'FINISHED' }));
    expect(endpoint.callbacks.outcomes(queued.taskToken)).toMatchObject([
      { kind: 'success', output: { status: 'SUCCEEDED', attempt: 2 } },
    ]);
  });

  it(`fails once a runner has left it unacknowledged ${MAX_UNACKNOWLEDGED_RETURNS + 1} times in its last attempt`, async () => {
    // Prepare
    const queued = await endpoint.enqueue({ workerGroup, runId: workerGroup, attemptLimit: 1 });

    // Act: poll and never acknowledge, again and again.
    for (let handOff = 0; handOff <= MAX_UNACKNOWLEDGED_RETURNS; handOff++) {
      await pollOne();
      endpoint.advanceClock(2 * MINUTE + 1_000);
    }
    const last = await client.send(new PollForTaskCommand({ workerGroup }));

    // Assess
    expect(last.taskObject).toBeUndefined();
    const [failure] = endpoint.callbacks.outcomes(queued.taskToken);
    expect(failure).toMatchObject({ kind: 'failure', error: 'TaskLeaseExpired' });
    expect(JSON.parse((failure as { cause: string }).cause)).toMatchObject({
      attempt: MAX_UNACKNOWLEDGED_RETURNS + 1,
      reason: expect.stringMatching(/did not acknowledge the task within 120 s.*Attempt 1 of 1/),
    });
  });

  it('fails through the callbacks once its attempt limit is used up by silent runners', async () => {
    // Prepare
    const queued = await endpoint.enqueue({
      workerGroup,
      runId: workerGroup,
      attemptLimit: 2,
      reportProgressTimeoutSeconds: 300,
    });
    const first = await pollOne();
    await client.send(new ReportTaskProgressCommand({ taskId: first }));

    // Act
    endpoint.advanceClock(5 * MINUTE + 1_000);
    const second = await pollOne();
    await client.send(new ReportTaskProgressCommand({ taskId: second }));
    endpoint.advanceClock(5 * MINUTE + 1_000);
    const last = await client.send(new PollForTaskCommand({ workerGroup }));

    // Assess
    expect(last.taskObject).toBeUndefined();
    expect(await endpoint.task(second)).toMatchObject({ status: 'FAILED', attempt: 2, leaseAttempt: 2 });
    const outcomes = endpoint.callbacks.outcomes(queued.taskToken);
    expect(outcomes).toMatchObject([{ kind: 'failure', token: queued.taskToken, error: 'TaskLeaseExpired' }]);
    expect(JSON.parse((outcomes[0] as { cause: string }).cause)).toMatchObject({
      taskId: second,
      attemptId: `@orders_${queued.runId}_Attempt=2`,
      attempt: 2,
      reason: expect.stringMatching(/did not report progress within reportProgressTimeout.*Attempt 2 of 2/),
    });
  });

  it('reports canceled once the execution stopped waiting, and keeps saying so', async () => {
    // Prepare
    const queued = await endpoint.enqueue({ workerGroup });
    const taskId = await pollOne();
    endpoint.callbacks.goneTokens.add(queued.taskToken);

    // Act
    const first = await client.send(new ReportTaskProgressCommand({ taskId }));
    const again = await client.send(new ReportTaskProgressCommand({ taskId }));

    // Assess
    expect(first.canceled).toBe(true);
    expect(again.canceled).toBe(true);
    expect(await endpoint.task(taskId)).toMatchObject({ status: 'CANCELED', canceled: true });
  });

  it('FINISHED succeeds the execution with status SUCCEEDED', async () => {
    // Prepare
    const queued = await endpoint.enqueue({ workerGroup, runId: 'run-ok', table: 'customers' });
    const taskId = await pollOne();

    // Act
    await client.send(new SetTaskStatusCommand({ taskId, taskStatus: 'FINISHED' }));

    // Assess
    expect(endpoint.callbacks.outcomes(queued.taskToken)).toEqual([
      {
        kind: 'success',
        token: queued.taskToken,
        output: expect.objectContaining({
          status: 'SUCCEEDED',
          runId: 'run-ok',
          table: 'customers',
          attemptId: '@customers_run-ok_Attempt=1',
        }),
      },
    ]);
    expect(await endpoint.task(taskId)).toMatchObject({ status: 'FINISHED', ttl: expect.any(Number) });
  });

  it('FAILED fails the execution with the error id, message and the tail of the stack trace', async () => {
    // Prepare
    const queued = await endpoint.enqueue({ workerGroup });
    const taskId = await pollOne();

    // Act
    await client.send(
      new SetTaskStatusCommand({
        taskId,
        taskStatus: 'FAILED',
        errorId: 'ExitCode3',
        errorMessage: 'Command exited with code 3',
        errorStackTrace: 'stderr: connection refused',
      }),
    );

    // Assess
    expect(endpoint.callbacks.outcomes(queued.taskToken)).toEqual([
      {
        kind: 'failure',
        token: queued.taskToken,
        error: 'ExitCode3',
        cause: expect.stringContaining('"reason":"Command exited with code 3\\nstderr: connection refused"'),
      },
    ]);
    expect((await endpoint.task(taskId))?.status).toBe('FAILED');
  });

  it('FAILED without an error id fails with TaskFailed', async () => {
    // Prepare
    const queued = await endpoint.enqueue({ workerGroup });
    const taskId = await pollOne();

    // Act
    await client.send(new SetTaskStatusCommand({ taskId, taskStatus: 'FAILED' }));

    // Assess
    expect(endpoint.callbacks.outcomes(queued.taskToken)).toMatchObject([
      { kind: 'failure', error: 'TaskFailed' },
    ]);
  });

  it('FALSE records the table as SKIPPED, not failed', async () => {
    // Prepare
    const queued = await endpoint.enqueue({ workerGroup });
    const taskId = await pollOne();

    // Act
    await client.send(
      new SetTaskStatusCommand({ taskId, taskStatus: 'FALSE', errorMessage: 'source table is empty today' }),
    );

    // Assess
    expect(endpoint.callbacks.outcomes(queued.taskToken)).toEqual([
      {
        kind: 'success',
        token: queued.taskToken,
        output: expect.objectContaining({ status: 'SKIPPED', reason: 'source table is empty today' }),
      },
    ]);
    expect((await endpoint.task(taskId))?.status).toBe('SKIPPED');
  });

  it('raises TaskNotFoundException for unknown, expired and already finished task ids', async () => {
    // Prepare
    await endpoint.enqueue({ workerGroup });
    const finished = await pollOne();
    await client.send(new SetTaskStatusCommand({ taskId: finished, taskStatus: 'FINISHED' }));
    await endpoint.enqueue({ workerGroup });
    const expired = await pollOne();
    endpoint.advanceClock(2 * MINUTE + 1_000);

    // Act
    const answers = await Promise.allSettled([
      client.send(new SetTaskStatusCommand({ taskId: 'no-such-task', taskStatus: 'FINISHED' })),
      client.send(new ReportTaskProgressCommand({ taskId: 'no-such-task' })),
      client.send(new SetTaskStatusCommand({ taskId: finished, taskStatus: 'FINISHED' })),
      client.send(new SetTaskStatusCommand({ taskId: expired, taskStatus: 'FINISHED' })),
    ]);

    // Assess
    expect(answers).toEqual(
      Array(4).fill({
        status: 'rejected',
        reason: expect.objectContaining({
          name: 'TaskNotFoundException',
          $metadata: expect.objectContaining({ httpStatusCode: 400 }),
        }),
      }),
    );
  });

  it('records runner heartbeats and lists the live runners of a worker group', async () => {
    // Act
    const response = await client.send(
      new ReportTaskRunnerHeartbeatCommand({ taskrunnerId: 'runner-a', workerGroup, hostname: 'host-a' }),
    );

    // Assess
    expect(response.terminate).toBe(false);
    expect(await listLiveRunners(workerGroup, endpoint.deps)).toEqual([
      expect.objectContaining({ taskrunnerId: 'runner-a', workerGroup, hostname: 'host-a' }),
    ]);
    // Live while its heartbeat is current (two intervals and 30 s); a runner silent for six minutes is gone.
    endpoint.advanceClock(RUNNER_LIVE_WINDOW_MS - 5_000);
    expect(await listLiveRunners(workerGroup, endpoint.deps)).toHaveLength(1);
    endpoint.advanceClock(6 * MINUTE - RUNNER_LIVE_WINDOW_MS + 5_000);
    expect(await listLiveRunners(workerGroup, endpoint.deps)).toEqual([]);
  });
});
