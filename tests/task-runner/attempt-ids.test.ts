// Every hand-off of a table to a runner is an attempt of its own: a lease re-queue and a state machine retry each
// get a new attemptId, and the table's tracking record counts all of them, from the success output or the
// failure cause the execution receives (read by jobs/job-outcome.ts, as Handle Extract Job Run Status does).
import {
  PollForTaskCommand,
  ReportTaskProgressCommand,
  SetTaskStatusCommand,
} from '@aws-sdk/client-data-pipeline';
import { describeJobOutcome } from '../../functions/lib/jobs/job-outcome';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';

jest.setTimeout(15_000);

describe('attempts of a runner table', () => {
  let endpoint: Endpoint;

  beforeAll(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 200 });
  });
  afterAll(() => endpoint.close());

  it('gives each hand-off its own attemptId and counts all of them in the tracking record', async () => {
    // Prepare
    const client = endpoint.client(await endpoint.issueCredential(['wg-attempts']));
    const table = { workerGroup: 'wg-attempts', runId: 'run-attempts', table: 'ledger' };
    const handOff = async () => {
      const { taskObject } = await client.send(new PollForTaskCommand({ workerGroup: 'wg-attempts' }));
      await client.send(new ReportTaskProgressCommand({ taskId: taskObject!.taskId! }));
      return taskObject!;
    };

    // Act: the first try's runner falls silent (re-queued), its second hand-off fails the command, and the
    // state machine's retry queues the table again with a new task token.
    const firstTry = await endpoint.enqueue({
      ...table,
      taskToken: 'token-try-1',
      reportProgressTimeoutSeconds: 300,
    });
    const silent = await handOff();
    endpoint.advanceClock(5 * 60_000 + 1_000);
    const failing = await handOff();
    await client.send(
      new SetTaskStatusCommand({ taskId: failing.taskId!, taskStatus: 'FAILED', errorId: 'ExitCode1' }),
    );
    const retry = await endpoint.enqueue({ ...table, taskToken: 'token-try-2' });
    const finishing = await handOff();
    await client.send(new SetTaskStatusCommand({ taskId: finishing.taskId!, taskStatus: 'FINISHED' }));

    // Assess
    expect([silent, failing, finishing].map((task) => task.attemptId)).toEqual([
      '@ledger_run-attempts_Attempt=1',
      '@ledger_run-attempts_Attempt=2',
      '@ledger_run-attempts_Attempt=3',
    ]);
    const [failure] = endpoint.callbacks.outcomes(firstTry.taskToken) as { error: string; cause: string }[];
    expect(
      describeJobOutcome('runner', undefined, { Error: failure!.error, Cause: failure!.cause }),
    ).toMatchObject({ status: 'FAILED', attempts: 2, job_run_id: '@ledger_run-attempts_Attempt=2' });
    const [success] = endpoint.callbacks.outcomes(retry.taskToken) as { output: object }[];
    expect(describeJobOutcome('runner', success!.output, undefined)).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 3,
      job_run_id: '@ledger_run-attempts_Attempt=3',
    });
  });
});
