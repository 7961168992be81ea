// Only the key that polled a task (its lease holder) may report on it: another key, even one granted the same
// worker group, is answered as if the task did not exist (Data Pipeline's TaskNotFoundException), and changes
// nothing. Driven with the official Data Pipeline client.
import {
  PollForTaskCommand,
  ReportTaskProgressCommand,
  SetTaskStatusCommand,
} from '@aws-sdk/client-data-pipeline';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';

jest.setTimeout(15_000);

describe('a leased task', () => {
  let endpoint: Endpoint;

  beforeAll(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 200 });
  });
  afterAll(() => endpoint.close());

  it('refuses progress and status from a second key granted the same worker group', async () => {
    // Prepare
    const owner = endpoint.client(await endpoint.issueCredential(['wg-shared']));
    const other = endpoint.client(await endpoint.issueCredential(['wg-shared']));
    const queued = await endpoint.enqueue({ workerGroup: 'wg-shared' });
    const { taskObject } = await owner.send(new PollForTaskCommand({ workerGroup: 'wg-shared' }));
    const taskId = taskObject!.taskId!;

    // Act
    const answers = await Promise.allSettled([
      other.send(new SetTaskStatusCommand({ taskId, taskStatus: 'FAILED', errorId: 'Sabotage' })),
      other.send(new ReportTaskProgressCommand({ taskId })),
    ]);

    // Assess
    const notFound = {
      status: 'rejected',
      reason: expect.objectContaining({
        name: 'TaskNotFoundException',
        message: `Task ${taskId} was not found.`,
        $metadata: expect.objectContaining({ httpStatusCode: 400 }),
      }),
    };
    expect(answers).toEqual([notFound, notFound]);
    expect(await endpoint.task(taskId)).toMatchObject({ status: 'LEASED', acknowledged: false });
    expect(endpoint.callbacks.outcomes(queued.taskToken)).toEqual([]);
  });

  it("still takes the owner's progress and status", async () => {
    // Prepare
    const owner = endpoint.client(await endpoint.issueCredential(['wg-owned']));
    const other = endpoint.client(await endpoint.issueCredential(['wg-owned']));
    const queued = await endpoint.enqueue({ workerGroup: 'wg-owned' });
    const { taskObject } = await owner.send(new PollForTaskCommand({ workerGroup: 'wg-owned' }));
    const taskId = taskObject!.taskId!;
    await other.send(new SetTaskStatusCommand({ taskId, taskStatus: 'FINISHED' })).catch(() => undefined);

    // Act
    const progress = await owner.send(new ReportTaskProgressCommand({ taskId }));
    await owner.send(new SetTaskStatusCommand({ taskId, taskStatus: 'FINISHED' }));

    // Assess
    expect(progress.canceled).toBe(false);
    expect(endpoint.callbacks.outcomes(queued.taskToken)).toMatchObject([
      { kind: 'success', output: { status: 'SUCCEEDED', taskId } },
    ]);
  });
});
