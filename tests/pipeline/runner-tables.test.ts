// `runner` tables end to end: the real state machine queues the table through the real enqueue handler, the
// task-runner endpoint (the deployed handler code, served on 127.0.0.1) hands it to the runner CLI's runner,
// which really runs the command; the runner's SetTaskStatus answers the waiting state through the token bridge.
import { DataPipelineClient, PollForTaskCommand, SetTaskStatusCommand } from '@aws-sdk/client-data-pipeline';
import { LOCAL_REGION } from '../../local/stack/emulators';
import { parseCommandsFile } from '../../runner/commands-file';
import { SDK_WORKER_GROUP, startPipeline, WORKER_GROUP, type Pipeline } from '../helpers/pipeline-harness';

jest.setTimeout(30_000);

let pipeline: Pipeline;
let runner: Awaited<ReturnType<Pipeline['given']['aRunner']>>;

const CONFIG = `
tables:
  - name: onprem.customers
    job_type: runner
    worker_group: ${WORKER_GROUP}
    source_type: oracle
    command: extract-customers
  - name: onprem.broken
    job_type: runner
    worker_group: ${WORKER_GROUP}
    command: extract-unreachable
  - name: onprem.unapproved
    job_type: runner
    worker_group: ${WORKER_GROUP}
    command: 'env > "$TMPDIR/stolen-runner-key"'
  - name: onprem.nothing-new
    job_type: runner
    worker_group: ${SDK_WORKER_GROUP}
    command: extract-customers
  - name: onprem.no-group
    job_type: runner
    command: extract-customers
  - name: sales.orders
    job_type: glue
`;

// The runner operator's commands file: the config above can only name these.
const COMMANDS = parseCommandsFile(
  `
commands:
  extract-customers:
    argv: [bash, -c, 'test "$EXTRACT_TABLE" = onprem.customers && test "$EXTRACT_SOURCE_TYPE" = oracle && echo extracted']
  extract-unreachable:
    argv: [bash, -c, 'echo "ORA-12541: no listener" >&2; exit 3']
`,
  'runner-commands.yml',
);

beforeAll(async () => {
  pipeline = await startPipeline();
  await pipeline.given.anExtractConfig(CONFIG, 'extract-config/runner.yml');
  runner = await pipeline.given.aRunner(COMMANDS);
});

afterAll(async () => {
  await runner?.stop();
  await pipeline?.close();
});

describe('runner tables', () => {
  it('hands the table to a self-hosted runner, which runs the command with the job arguments, and records SUCCEEDED', async () => {
    const run = await pipeline.when.theRunStarts({
      config_key: 'extract-config/runner.yml',
      tables_to_extract: ['onprem.customers', 'sales.orders'],
      run_id: 'runner-ok',
    });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ status: 'SUCCEEDED', succeeded: 2, failed: 0 });
    const records = await pipeline.then.tableRecords('runner-ok');
    expect(records['onprem.customers']).toMatchObject({
      status: 'SUCCEEDED',
      job_type: 'runner',
      attempts: 1,
    });
    expect(records['onprem.customers']!.job_run_id).toContain('runner-ok');
    expect(runner.runner.outcomes).toEqual(
      expect.arrayContaining([expect.objectContaining({ status: 'FINISHED' })]),
    );
  });

  it('retries a failing command as new attempts, then records FAILED with the exit code and stderr', async () => {
    const run = await pipeline.when.theRunStarts({
      config_key: 'extract-config/runner.yml',
      tables_to_extract: ['onprem.broken'],
      run_id: 'runner-fails',
    });

    expect(run.output).toMatchObject({ status: 'FAILED', failed: 1 });
    const record = (await pipeline.then.tableRecords('runner-fails'))['onprem.broken']!;
    expect(record).toMatchObject({ status: 'FAILED', job_type: 'runner', error: 'ExitCode3' });
    expect(record.cause).toContain('ORA-12541: no listener');
    // One first attempt and the state machine's two retries, each a fresh task for the runner.
    const retries = (run.events as { type: string; state?: { name: string } }[]).filter(
      (e) => e.type === 'StateRetried' && e.state?.name === 'Runner Extract Task',
    );
    expect(retries).toHaveLength(2);
  });

  it("records a runner table whose command the runner's operator did not approve FAILED, naming the command", async () => {
    const run = await pipeline.when.theRunStarts({
      config_key: 'extract-config/runner.yml',
      tables_to_extract: ['onprem.unapproved'],
      run_id: 'runner-unapproved',
    });

    expect(run.output).toMatchObject({ status: 'FAILED', failed: 1 });
    const record = (await pipeline.then.tableRecords('runner-unapproved'))['onprem.unapproved']!;
    expect(record).toMatchObject({ status: 'FAILED', job_type: 'runner', error: 'CommandNotApproved' });
    expect(record.cause).toContain(
      '"env > \\"$TMPDIR/stolen-runner-key\\"" is not one this runner\'s operator approved',
    );
  });

  it('records a runner table without a worker group FAILED, naming the field', async () => {
    const run = await pipeline.when.theRunStarts({
      config_key: 'extract-config/runner.yml',
      tables_to_extract: ['onprem.no-group'],
      run_id: 'runner-no-group',
    });

    expect(run.output).toMatchObject({ status: 'FAILED', failed: 1 });
    expect((await pipeline.then.tableRecords('runner-no-group'))['onprem.no-group']).toMatchObject({
      status: 'FAILED',
      error: 'TableJobError',
      cause: expect.stringContaining('worker_group'),
    });
  });

  it('records SKIPPED when an unmodified Data Pipeline client reports the precondition not met (FALSE)', async () => {
    // Prepare: the table's worker group is polled only by this client (the harness's runner serves another).
    const client = new DataPipelineClient({
      endpoint: pipeline.taskRunnerEndpoint,
      region: LOCAL_REGION,
      credentials: pipeline.runnerCredentials,
    });
    const running = pipeline.when.theRunStarts({
      config_key: 'extract-config/runner.yml',
      tables_to_extract: ['onprem.nothing-new'],
      run_id: 'runner-skipped',
    });

    // Act
    let taskId: string | undefined;
    for (let polls = 0; !taskId && polls < 20; polls++) {
      taskId = (await client.send(new PollForTaskCommand({ workerGroup: SDK_WORKER_GROUP }))).taskObject
        ?.taskId;
    }
    await client.send(
      new SetTaskStatusCommand({
        taskId,
        taskStatus: 'FALSE',
        errorMessage: 'no rows changed since last run',
      }),
    );
    const run = await running;

    // Assess
    expect(run.output).toMatchObject({ status: 'SUCCEEDED', succeeded: 0, skipped: 1, failed: 0 });
    expect((await pipeline.then.tableRecords('runner-skipped'))['onprem.nothing-new']).toMatchObject({
      status: 'SKIPPED',
      cause: 'no rows changed since last run',
    });
    client.destroy();
  });
});
