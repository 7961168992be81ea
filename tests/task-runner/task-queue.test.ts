import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PollForTaskCommand, SetTaskStatusCommand } from '@aws-sdk/client-data-pipeline';
import { InMemoryTaskCallbacks } from '../../functions/lib/task-runner/task-callbacks';
import { claimNextQueuedTask } from '../../functions/lib/task-runner/claim-task';
import { enqueueTask } from '../../functions/lib/task-runner/enqueue-task';
import { reclaimExpiredTasks } from '../../functions/lib/task-runner/reclaim-expired-tasks';
import { taskKey } from '../../functions/lib/task-runner/task-item';
import { recordTaskProgress } from '../../functions/lib/task-runner/record-task-progress';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';

jest.setTimeout(15_000);

/** Step Functions answering with a throttling error once, then normally. */
class FlakyCallbacks extends InMemoryTaskCallbacks {
  failures = 1;
  override async success(token: string, output: object): Promise<void> {
    if (this.failures-- > 0) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    return super.success(token, output);
  }
}

describe('the task queue in DynamoDB', () => {
  let endpoint: Endpoint;

  beforeAll(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 200 });
  });
  afterAll(() => endpoint.close());

  it('queues a task once when the enqueue Lambda is retried with the same task token', async () => {
    // Act
    const first = await endpoint.enqueue({ taskToken: 'token-retried-invoke', workerGroup: 'wg-idem' });
    const again = await endpoint.enqueue({ taskToken: 'token-retried-invoke', workerGroup: 'wg-idem' });
    const claimed = await claimNextQueuedTask('wg-idem', { accessKeyId: 'test' }, endpoint.deps);
    const nothingLeft = await claimNextQueuedTask('wg-idem', { accessKeyId: 'test' }, endpoint.deps);

    // Assess
    expect(again.taskId).toBe(first.taskId);
    expect(claimed?.taskId).toBe(first.taskId);
    expect(nothingLeft).toBeUndefined();
  });

  it('hands out tasks of a worker group oldest first', async () => {
    // Prepare
    const older = await endpoint.enqueue({ workerGroup: 'wg-order' });
    endpoint.advanceClock(1_000);
    const newer = await endpoint.enqueue({ workerGroup: 'wg-order' });

    // Act
    const first = await claimNextQueuedTask('wg-order', { accessKeyId: 'test' }, endpoint.deps);
    const second = await claimNextQueuedTask('wg-order', { accessKeyId: 'test' }, endpoint.deps);

    // Assess
    expect([first?.taskId, second?.taskId]).toEqual([older.taskId, newer.taskId]);
  });

  it('re-queues an expired task exactly once when several pollers reclaim at the same time', async () => {
    // Prepare
    const queued = await endpoint.enqueue({ workerGroup: 'wg-reclaim-race', runId: 'run-reclaim-race' });
    await claimNextQueuedTask('wg-reclaim-race', { accessKeyId: 'silent-runner' }, endpoint.deps);
    endpoint.advanceClock(3 * 60_000);
    const deps = { ...endpoint.deps, callbacks: endpoint.callbacks };

    // Act
    const results = await Promise.all(Array.from({ length: 5 }, () => reclaimExpiredTasks(deps)));

    // Assess
    // Other tests' leases in this table expire too; count only this task's re-queues.
    const requeues = results.flatMap((r) => r.requeued).filter((q) => q.taskId === queued.taskId);
    expect(requeues).toHaveLength(1);
    const successor = await claimNextQueuedTask(
      'wg-reclaim-race',
      { accessKeyId: 'next-runner' },
      endpoint.deps,
    );
    expect(successor).toMatchObject({ attempt: 2, taskToken: queued.taskToken });
    expect(
      await claimNextQueuedTask('wg-reclaim-race', { accessKeyId: 'next-runner' }, endpoint.deps),
    ).toBeUndefined();
  });

  it('finishes a re-queue that was interrupted after the lease was marked expired', async () => {
    // Prepare: the state a reaper leaves when it dies between its first and second write.
    const queued = await endpoint.enqueue({ workerGroup: 'wg-interrupted', runId: 'run-interrupted' });
    await claimNextQueuedTask('wg-interrupted', { accessKeyId: 'silent-runner' }, endpoint.deps);
    await endpoint.documentClient.send(
      new UpdateCommand({
        TableName: endpoint.tableName,
        Key: taskKey(queued.taskId),
        UpdateExpression: 'SET #status = :expired, leaseExpiresAt = :past',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':expired': 'EXPIRED', ':past': endpoint.clock.now() - 1 },
      }),
    );

    // Act
    const result = await reclaimExpiredTasks({ ...endpoint.deps, callbacks: endpoint.callbacks });

    // Assess
    expect(result.requeued).toEqual([expect.objectContaining({ taskId: queued.taskId, attempt: 2 })]);
    expect(await endpoint.task(queued.taskId)).toMatchObject({ status: 'REQUEUED' });
    expect(
      await claimNextQueuedTask('wg-interrupted', { accessKeyId: 'next-runner' }, endpoint.deps),
    ).toMatchObject({
      attempt: 2,
    });
  });

  it('keeps a finished task open when Step Functions cannot be told, so the SDK retry delivers the outcome', async () => {
    // Prepare
    const flaky = new FlakyCallbacks();
    const local = await anEndpoint({ pollWindowMs: 200, callbacks: flaky });
    try {
      const credential = await local.issueCredential(['wg-flaky']);
      const queued = await local.enqueue({ workerGroup: 'wg-flaky' });
      const client = local.client(credential);
      const { taskObject } = await client.send(new PollForTaskCommand({ workerGroup: 'wg-flaky' }));
      const taskId = taskObject!.taskId!;

      // Act
      const first = client.send(new SetTaskStatusCommand({ taskId, taskStatus: 'FINISHED' }));
      await expect(first).rejects.toMatchObject({
        name: 'InternalServiceError',
        $metadata: { httpStatusCode: 500 },
      });
      await client.send(new SetTaskStatusCommand({ taskId, taskStatus: 'FINISHED' }));

      // Assess
      expect(flaky.outcomes(queued.taskToken)).toMatchObject([
        { kind: 'success', output: { status: 'SUCCEEDED' } },
      ]);
      expect((await local.task(taskId))?.status).toBe('FINISHED');
    } finally {
      await local.close();
    }
  });

  it('fails the execution when the last attempt expires, and only once', async () => {
    // Prepare
    const callbacks = new InMemoryTaskCallbacks();
    const deps = { ...endpoint.deps, callbacks };
    const queued = await enqueueTask(
      {
        taskToken: 'token-last-attempt',
        runId: 'run-x',
        table: 'invoices',
        attemptLimit: 1,
        workerGroup: 'wg-last',
        fields: {},
        reportProgressTimeoutSeconds: 900,
      },
      endpoint.deps,
    );
    await claimNextQueuedTask('wg-last', { accessKeyId: 'silent-runner' }, endpoint.deps);
    await recordTaskProgress(queued.taskId, 'silent-runner', endpoint.deps);
    endpoint.advanceClock(16 * 60_000);

    // Act
    await Promise.all([reclaimExpiredTasks(deps), reclaimExpiredTasks(deps)]);
    await reclaimExpiredTasks(deps);

    // Assess
    expect(callbacks.outcomes(queued.taskToken)).toMatchObject([
      { kind: 'failure', error: 'TaskLeaseExpired' },
    ]);
    expect(await endpoint.task(queued.taskId)).toMatchObject({ status: 'FAILED' });
  });
});
