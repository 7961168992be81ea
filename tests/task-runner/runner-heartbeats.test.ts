// ReportTaskRunnerHeartbeat as a runner's key may use it: only for its own worker groups, and only under runner
// ids that are its own.
import { ReportTaskRunnerHeartbeatCommand } from '@aws-sdk/client-data-pipeline';
import { listLiveRunners } from '../../functions/lib/task-runner/runner-heartbeats';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';

jest.setTimeout(15_000);

describe('runner heartbeats', () => {
  let endpoint: Endpoint;

  beforeAll(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 100 });
  });
  afterAll(() => endpoint.close());

  it('refuses a heartbeat for a worker group the key is not granted', async () => {
    // Prepare
    const client = endpoint.client(await endpoint.issueCredential(['wg-beat-own']));

    // Act
    const attempt = client.send(
      new ReportTaskRunnerHeartbeatCommand({ taskrunnerId: 'runner-x', workerGroup: 'wg-beat-other' }),
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(await listLiveRunners('wg-beat-other', endpoint.deps)).toEqual([]);
  });

  it('lists a heartbeat without a worker group under no worker group', async () => {
    // Prepare
    const client = endpoint.client(await endpoint.issueCredential(['wg-beat-nogroup']));

    // Act
    await client.send(new ReportTaskRunnerHeartbeatCommand({ taskrunnerId: 'runner-ungrouped' }));

    // Assess
    expect(await listLiveRunners('wg-beat-nogroup', endpoint.deps)).toEqual([]);
    expect(await listLiveRunners('', endpoint.deps)).toEqual([]);
    const everyone = await listLiveRunners(undefined, endpoint.deps);
    expect(everyone.filter((runner) => runner.taskrunnerId === 'runner-ungrouped')).toEqual([
      expect.not.objectContaining({ workerGroup: expect.anything() }),
    ]);
  });

  it("refuses another key's heartbeat under a runner id that is taken, and keeps the owner's entry", async () => {
    // Prepare
    const ownerKey = await endpoint.issueCredential(['wg-beat-shared']);
    const owner = endpoint.client(ownerKey);
    const other = endpoint.client(await endpoint.issueCredential(['wg-beat-shared']));
    await owner.send(
      new ReportTaskRunnerHeartbeatCommand({
        taskrunnerId: 'runner-1',
        workerGroup: 'wg-beat-shared',
        hostname: 'owner-host',
      }),
    );

    // Act
    const answers = await Promise.allSettled([
      other.send(
        new ReportTaskRunnerHeartbeatCommand({
          taskrunnerId: 'runner-1',
          workerGroup: 'wg-beat-shared',
          hostname: 'spoofed-host',
        }),
      ),
      other.send(new ReportTaskRunnerHeartbeatCommand({ taskrunnerId: 'runner-1' })),
    ]);

    // Assess
    const refused = {
      status: 'rejected',
      reason: expect.objectContaining({ name: 'AccessDeniedException' }),
    };
    expect(answers).toEqual([refused, refused]);
    expect(await listLiveRunners('wg-beat-shared', endpoint.deps)).toEqual([
      expect.objectContaining({
        taskrunnerId: 'runner-1',
        hostname: 'owner-host',
        accessKeyId: ownerKey.accessKeyId,
      }),
    ]);
    const again = await owner.send(
      new ReportTaskRunnerHeartbeatCommand({ taskrunnerId: 'runner-1', workerGroup: 'wg-beat-shared' }),
    );
    expect(again.terminate).toBe(false);
  });
});
