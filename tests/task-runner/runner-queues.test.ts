// The runner queues as the scheduled reclaim measures them and status tooling reads them: each worker group's
// queued tasks and live runners, when a runner last polled it (only a key granted the group can say so), and a
// bounded number of WorkerGroup dimensions however many groups there are.
import { PollForTaskCommand, ReportTaskRunnerHeartbeatCommand } from '@aws-sdk/client-data-pipeline';
import {
  MAX_GROUP_DIMENSIONS,
  measureRunnerQueues,
  OTHER_GROUPS,
} from '../../functions/lib/task-runner/runner-queue-metrics';
import { readWorkerGroup } from '../../functions/lib/task-runner/worker-groups';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';

jest.setTimeout(30_000);

describe('runner queues', () => {
  let endpoint: Endpoint;

  beforeEach(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 100 });
  });
  afterEach(() => endpoint.close());

  it('counts queued tasks and live runners per worker group, a group nobody polls included', async () => {
    // Prepare: three tasks for wg-busy, one for wg-stranded; a runner of wg-busy beats and takes one
    for (let i = 0; i < 3; i++) await endpoint.enqueue({ workerGroup: 'wg-busy', table: `busy.t${i}` });
    await endpoint.enqueue({ workerGroup: 'wg-stranded', table: 'stranded.t' });
    const runner = endpoint.client(await endpoint.issueCredential(['wg-busy']));
    await runner.send(
      new ReportTaskRunnerHeartbeatCommand({ taskrunnerId: 'busy-1', workerGroup: 'wg-busy' }),
    );
    const polled = await runner.send(new PollForTaskCommand({ workerGroup: 'wg-busy' }));
    expect(polled.taskObject).toBeDefined();

    // Act
    const measured = await measureRunnerQueues(endpoint.deps);

    // Assess
    expect(measured).toEqual({
      totals: { queued: 3, liveRunners: 1 },
      groups: [
        { workerGroup: 'wg-busy', queued: 2, liveRunners: 1 },
        { workerGroup: 'wg-stranded', queued: 1, liveRunners: 0 },
      ],
    });
  });

  it('records when a runner last polled its group, and never for a group its key is not granted', async () => {
    // Prepare
    await endpoint.enqueue({ workerGroup: 'wg-polled' });
    await endpoint.enqueue({ workerGroup: 'wg-other' });
    const runner = endpoint.client(await endpoint.issueCredential(['wg-polled']));

    // Act
    await runner.send(new PollForTaskCommand({ workerGroup: 'wg-polled' }));
    const refused = runner.send(new PollForTaskCommand({ workerGroup: 'wg-other' }));

    // Assess
    await expect(refused).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(await readWorkerGroup('wg-polled', endpoint.deps)).toEqual({
      workerGroup: 'wg-polled',
      lastPolledAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await readWorkerGroup('wg-other', endpoint.deps)).toEqual({ workerGroup: 'wg-other' });
  });

  it(`gives the ${MAX_GROUP_DIMENSIONS} deepest queues a dimension each and sums the rest`, async () => {
    // Prepare: group g00 has the deepest queue, then one task each for 24 more groups
    for (let i = 0; i < 3; i++) await endpoint.enqueue({ workerGroup: 'g00', table: `deep.t${i}` });
    for (let g = 1; g <= 24; g++)
      await endpoint.enqueue({ workerGroup: `g${String(g).padStart(2, '0')}`, table: 't' });

    // Act
    const measured = await measureRunnerQueues(endpoint.deps);

    // Assess
    expect(measured.totals).toEqual({ queued: 27, liveRunners: 0 });
    expect(measured.groups).toHaveLength(MAX_GROUP_DIMENSIONS + 1);
    expect(measured.groups[0]).toEqual({ workerGroup: 'g00', queued: 3, liveRunners: 0 });
    expect(measured.groups.at(-1)).toEqual({ workerGroup: OTHER_GROUPS, queued: 5, liveRunners: 0 });
  });
});
