import { PollForTaskCommand } from '@aws-sdk/client-data-pipeline';
import { anEndpoint, PollGate } from './helpers/given';
import type { Endpoint } from './helpers/given';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(15_000);

describe('PollForTask', () => {
  let endpoint: Endpoint;
  const gate = new PollGate();

  beforeAll(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 1_000, pollIntervalMs: 50, sleep: gate.sleep });
  });
  afterAll(() => endpoint.close());

  it('returns a queued task at once, shaped like a Data Pipeline attempt object', async () => {
    // Prepare
    const credential = await endpoint.issueCredential(['wg-shape']);
    const queued = await endpoint.enqueue({
      workerGroup: 'wg-shape',
      runId: 'run-42',
      table: 'orders',
      command: 'extract --table orders',
      fields: { '--table': 'orders', '--load-type': 'full' },
    });

    // Act
    const { taskObject } = await endpoint
      .client(credential)
      .send(new PollForTaskCommand({ workerGroup: 'wg-shape', hostname: 'runner-1.example.com' }));

    // Assess
    expect(taskObject).toMatchObject({
      taskId: queued.taskId,
      pipelineId: 'run-42',
      attemptId: '@orders_run-42_Attempt=1',
    });
    const attempt = taskObject!.objects!['@orders_run-42_Attempt=1']!;
    expect(attempt).toMatchObject({ id: '@orders_run-42_Attempt=1', name: '@orders_run-42_Attempt=1' });
    const fields = Object.fromEntries(
      attempt.fields!.map((f) => [f.key, f.stringValue ?? { ref: f.refValue }]),
    );
    expect(fields).toMatchObject({
      type: 'ShellCommandActivity',
      command: 'extract --table orders',
      workerGroup: 'wg-shape',
      '@status': 'WAITING_FOR_RUNNER',
      '@sphere': 'ATTEMPT',
      '@pipelineId': 'run-42',
      '@scheduledStartTime': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
      '@componentParent': { ref: 'orders' },
      '--table': 'orders',
      '--load-type': 'full',
    });
    const leased = await endpoint.task(queued.taskId);
    expect(leased).toMatchObject({
      status: 'LEASED',
      leaseOwner: `${credential.accessKeyId}/runner-1.example.com`,
    });
  });

  it('answers without a taskObject when nothing is queued within the window', async () => {
    // Prepare
    const credential = await endpoint.issueCredential(['wg-empty']);

    // Act
    const response = await endpoint
      .client(credential)
      .send(new PollForTaskCommand({ workerGroup: 'wg-empty' }));

    // Assess
    expect(response.taskObject).toBeUndefined();
  });

  it('hands a task queued during the long poll to the waiting poller', async () => {
    // Prepare
    const credential = await endpoint.issueCredential(['wg-late']);
    gate.close();
    const polling = endpoint.client(credential).send(new PollForTaskCommand({ workerGroup: 'wg-late' }));
    await waitFor('the poll to wait', () => gate.waiting === 1);

    // Act
    const queued = await endpoint.enqueue({ workerGroup: 'wg-late' });
    gate.open();

    // Assess
    expect((await polling).taskObject?.taskId).toBe(queued.taskId);
  });

  it('matches worker groups exactly and case-sensitively', async () => {
    // Prepare
    const credential = await endpoint.issueCredential(['wg-case', 'WG-CASE', 'wg-case-suffix']);
    const queued = await endpoint.enqueue({ workerGroup: 'wg-case' });
    const client = endpoint.client(credential);

    // Act
    const upper = await client.send(new PollForTaskCommand({ workerGroup: 'WG-CASE' }));
    const longer = await client.send(new PollForTaskCommand({ workerGroup: 'wg-case-suffix' }));
    const exact = await client.send(new PollForTaskCommand({ workerGroup: 'wg-case' }));

    // Assess
    expect(upper.taskObject).toBeUndefined();
    expect(longer.taskObject).toBeUndefined();
    expect(exact.taskObject?.taskId).toBe(queued.taskId);
  });

  it('hands one task to exactly one of ten concurrent pollers', async () => {
    // Prepare
    const credential = await endpoint.issueCredential(['wg-race']);
    gate.close();
    const pollers = Array.from({ length: 10 }, () =>
      endpoint.client(credential).send(new PollForTaskCommand({ workerGroup: 'wg-race' })),
    );
    await waitFor('ten polls to wait', () => gate.waiting === 10);

    // Act
    const queued = await endpoint.enqueue({ workerGroup: 'wg-race' });
    gate.open();
    const responses = await Promise.all(pollers);

    // Assess
    const received = responses.filter((response) => response.taskObject);
    expect(received).toHaveLength(1);
    expect(received[0]!.taskObject!.taskId).toBe(queued.taskId);
  });

  it('does not hand out a task whose execution stopped while it was queued', async () => {
    // Prepare
    const credential = await endpoint.issueCredential(['wg-stopped']);
    const queued = await endpoint.enqueue({ workerGroup: 'wg-stopped' });
    endpoint.callbacks.goneTokens.add(queued.taskToken);

    // Act
    const response = await endpoint
      .client(credential)
      .send(new PollForTaskCommand({ workerGroup: 'wg-stopped' }));

    // Assess
    expect(response.taskObject).toBeUndefined();
    expect(await endpoint.task(queued.taskId)).toMatchObject({ status: 'CANCELED', canceled: true });
  });

  it('holds an empty poll for the whole default 90 s window (on the injected clock)', async () => {
    // Prepare: sleeping advances the endpoint's clock instead of waiting.
    const slow = await anEndpoint({
      pollWindowMs: 90_000,
      pollIntervalMs: 500,
      sleep: async (ms, clock) => clock.advance(ms),
    });
    try {
      const credential = await slow.issueCredential(['wg-window']);
      const startedAt = slow.clock.now();

      // Act
      const response = await slow
        .client(credential)
        .send(new PollForTaskCommand({ workerGroup: 'wg-window' }));

      // Assess
      expect(response.taskObject).toBeUndefined();
      const held = slow.clock.now() - startedAt;
      expect(held).toBeGreaterThanOrEqual(90_000);
      expect(held).toBeLessThan(91_000);
    } finally {
      await slow.close();
    }
  });
});
