import { PollForTaskCommand, ReportTaskProgressCommand } from '@aws-sdk/client-data-pipeline';
import { revokeRunnerCredential } from '../../functions/lib/task-runner/runner-credentials';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';

jest.setTimeout(15_000);

describe('task-runner endpoint authentication', () => {
  let endpoint: Endpoint;

  beforeAll(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 200 });
  });
  afterAll(() => endpoint.close());

  it('hands a queued task to a client signed with a credential granted its worker group', async () => {
    // Prepare
    const credential = await endpoint.issueCredential(['wg-auth-granted']);
    const queued = await endpoint.enqueue({ workerGroup: 'wg-auth-granted' });

    // Act
    const response = await endpoint
      .client(credential)
      .send(new PollForTaskCommand({ workerGroup: 'wg-auth-granted' }));

    // Assess
    expect(response.taskObject?.taskId).toBe(queued.taskId);
    expect((await endpoint.task(queued.taskId))?.status).toBe('LEASED');
  });

  it.each([
    [
      'an unknown access key',
      async () => ({ accessKeyId: 'AKXRUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) }),
    ],
    [
      'a wrong secret',
      async () => ({
        accessKeyId: (await endpoint.issueCredential(['wg-auth-denied'])).accessKeyId,
        secretAccessKey: 'not-the-secret',
      }),
    ],
    [
      'a revoked key',
      async () => {
        const credential = await endpoint.issueCredential(['wg-auth-denied']);
        await revokeRunnerCredential(credential.accessKeyId, endpoint.deps);
        return credential;
      },
    ],
    ['a key granted another worker group', async () => endpoint.issueCredential(['wg-other'])],
  ])('raises AccessDeniedException (403) and hands out no task for %s', async (_case, credentials) => {
    // Prepare
    const queued = await endpoint.enqueue({ workerGroup: 'wg-auth-denied' });
    const client = endpoint.client(await credentials());

    // Act
    const attempt = client.send(new PollForTaskCommand({ workerGroup: 'wg-auth-denied' }));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
    expect((await endpoint.task(queued.taskId))?.status).toBe('QUEUED');
  });

  it('answers a key of another worker group as if the task did not exist', async () => {
    // Prepare
    const owner = await endpoint.issueCredential(['wg-auth-owner']);
    const stranger = await endpoint.issueCredential(['wg-auth-stranger']);
    await endpoint.enqueue({ workerGroup: 'wg-auth-owner' });
    const { taskObject } = await endpoint
      .client(owner)
      .send(new PollForTaskCommand({ workerGroup: 'wg-auth-owner' }));

    // Act
    const attempt = endpoint
      .client(stranger)
      .send(new ReportTaskProgressCommand({ taskId: taskObject!.taskId! }));

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'TaskNotFoundException' });
  });

  it('rejects a signature made more than 15 minutes away from the server clock', async () => {
    // Prepare
    const credential = await endpoint.issueCredential(['wg-auth-skew']);
    await endpoint.enqueue({ workerGroup: 'wg-auth-skew' });
    const client = endpoint.client(credential);
    client.config.systemClockOffset = endpoint.clock.offsetMs - 16 * 60 * 1000;

    // Act
    const attempt = client.send(new PollForTaskCommand({ workerGroup: 'wg-auth-skew' }));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'The request signature is not valid.',
    });
  });

  it('refuses a signature for another region with the answer an unknown key gets', async () => {
    // Prepare
    const credential = await endpoint.issueCredential(['wg-auth-region']);
    const queued = await endpoint.enqueue({ workerGroup: 'wg-auth-region' });
    const elsewhere = endpoint.client(credential);
    elsewhere.config.region = async () => 'eu-west-1';
    const unknown = endpoint.client({ accessKeyId: 'AKXRUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) });

    // Act
    const answers = await Promise.allSettled([
      elsewhere.send(new PollForTaskCommand({ workerGroup: 'wg-auth-region' })),
      unknown.send(new PollForTaskCommand({ workerGroup: 'wg-auth-region' })),
    ]);

    // Assess
    const refusal = {
      status: 'rejected',
      reason: expect.objectContaining({
        name: 'AccessDeniedException',
        message: 'The request signature is not valid.',
        $metadata: expect.objectContaining({ httpStatusCode: 403 }),
      }),
    };
    expect(answers).toEqual([refusal, refusal]);
    expect((await endpoint.task(queued.taskId))?.status).toBe('QUEUED');
  });
});
