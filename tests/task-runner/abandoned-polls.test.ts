// A long poll whose client gave up (its socket timeout, a stopped runner) must not lease the next task to nobody:
// the local endpoint sees the closed connection and stops polling, or hands back what it claimed, so a live
// poller gets the task and no attempt is used. (Deployed, a function URL hides disconnects; the acknowledgement
// window covers that case: task-lifecycle.test.ts.)
import { PollForTaskCommand } from '@aws-sdk/client-data-pipeline';
import { pollForTask } from '../../functions/lib/task-runner/poll-for-task';
import { InMemoryTaskCallbacks } from '../../functions/lib/task-runner/task-callbacks';
import { waitFor } from '../helpers/wait-for';
import { anEndpoint, PollGate } from './helpers/given';
import type { Endpoint } from './helpers/given';

jest.setTimeout(20_000);

describe('a poll whose client gave up', () => {
  let endpoint: Endpoint;
  const gate = new PollGate();

  beforeAll(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 5_000, pollIntervalMs: 50, sleep: gate.sleep });
  });
  afterAll(() => endpoint.close());

  it('leaves the next task to a live poller, with its one attempt unused', async () => {
    // Prepare: a poll waiting on an empty queue, whose client then gives up.
    const credential = await endpoint.issueCredential(['wg-gone']);
    gate.close();
    const givingUp = new AbortController();
    const abandoned = endpoint
      .client(credential)
      .send(new PollForTaskCommand({ workerGroup: 'wg-gone' }), { abortSignal: givingUp.signal });
    await waitFor('the poll to wait', () => gate.waiting === 1);
    givingUp.abort();
    await expect(abandoned).rejects.toThrow();
    await waitFor('the endpoint to see the client gone', () => endpoint.server.waitingClients() === 0);

    // Act: a task arrives while the abandoned poll still runs on the server.
    const queued = await endpoint.enqueue({ workerGroup: 'wg-gone', attemptLimit: 1 });
    gate.open();
    await waitFor('the abandoned poll to end', () => endpoint.server.requestsInProgress() === 0);
    const live = await endpoint
      .client(credential)
      .send(new PollForTaskCommand({ workerGroup: 'wg-gone', hostname: 'live-runner' }));

    // Assess
    expect(live.taskObject?.taskId).toBe(queued.taskId);
    expect(await endpoint.task(queued.taskId)).toMatchObject({
      status: 'LEASED',
      leaseOwner: `${credential.accessKeyId}/live-runner`,
      attempt: 1,
      leaseAttempt: 1,
    });
    expect(endpoint.callbacks.outcomes(queued.taskToken)).toEqual([]);
  });

  it('hands back a task it claimed when the client goes while the hand-off is under way', async () => {
    // Prepare: the client goes between the claim and the answer (here: while Step Functions is told).
    const credential = await endpoint.issueCredential(['wg-gone-late']);
    const queued = await endpoint.enqueue({ workerGroup: 'wg-gone-late', attemptLimit: 1 });
    const givingUp = new AbortController();
    const callbacks = new InMemoryTaskCallbacks();
    callbacks.heartbeat = async () => givingUp.abort();

    // Act
    const answer = await pollForTask(
      { workerGroup: 'wg-gone-late' },
      { accessKeyId: credential.accessKeyId, workerGroups: credential.workerGroups },
      {
        ...endpoint.deps,
        callbacks,
        pollWindowMs: 0,
        pollIntervalMs: 50,
        sleep: gate.sleep,
        signal: givingUp.signal,
      },
    );

    // Assess: nothing handed out, and the same task is first in line again, leased to no one.
    expect(answer).toEqual({});
    expect(await endpoint.task(queued.taskId)).toMatchObject({ status: 'QUEUED', leaseAttempt: 1 });
    expect(await endpoint.task(queued.taskId)).not.toHaveProperty('leaseKey');
    const live = await endpoint
      .client(credential)
      .send(new PollForTaskCommand({ workerGroup: 'wg-gone-late' }));
    expect(live.taskObject?.taskId).toBe(queued.taskId);
  });
});
