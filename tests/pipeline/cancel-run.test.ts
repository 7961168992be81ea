// Stopping a run (npm run cancel, the console's Stop, StopExecution): the real state machine is stopped while
// runner tables wait in the queue and one runs on a runner; the stopped-run handler (the deployed EventBridge
// rule's target) then closes the run. Queued tasks are withdrawn, the running command is told to stop, the
// unfinished tables are CANCELLED and the run record CANCELLED with its counts.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataPipelineClient, PollForTaskCommand } from '@aws-sdk/client-data-pipeline';
import { LOCAL_REGION } from '../../local/stack/emulators';
import { parseCommandsFile } from '../../runner/commands-file';
import { SDK_WORKER_GROUP, startPipeline, WORKER_GROUP, type Pipeline } from '../helpers/pipeline-harness';
import { LOCAL_STACK_BOUND_MS, LOCAL_STACK_TEST_TIMEOUT_MS, waitFor } from '../helpers/wait-for';

jest.setTimeout(LOCAL_STACK_TEST_TIMEOUT_MS);

let pipeline: Pipeline;
let runner: Awaited<ReturnType<Pipeline['given']['aRunner']>>;
let scratch: string;

// Nobody polls SDK_WORKER_GROUP here: its tables wait in the queue. WORKER_GROUP's runner takes the long one.
const CONFIG = `
tables:
  - name: onprem.waiting-1
    job_type: runner
    worker_group: ${SDK_WORKER_GROUP}
    command: extract-long
  - name: onprem.waiting-2
    job_type: runner
    worker_group: ${SDK_WORKER_GROUP}
    command: extract-long
  - name: onprem.running
    job_type: runner
    worker_group: ${WORKER_GROUP}
    command: extract-long
  - name: sales.orders
    job_type: glue
`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'cancel-run-'));
  pipeline = await startPipeline();
  await pipeline.given.anExtractConfig(CONFIG, 'extract-config/cancel.yml');
  // The command writes its pid, then runs far longer than the test: only a stop ends it.
  const commands = parseCommandsFile(
    `
commands:
  extract-long:
    argv: [bash, -c, 'echo $$ > "${scratch}/pid"; exec sleep 600']
`,
    'runner-commands.yml',
  );
  runner = await pipeline.given.aRunner(commands);
});

afterAll(async () => {
  await runner?.stop();
  await pipeline?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a stopped run', () => {
  it('withdraws queued runner tasks, stops the running command, and records the unfinished tables CANCELLED', async () => {
    // Prepare: the run is started and waits for its runner tables
    const stop = new AbortController();
    const running = pipeline.when.theRunStarts(
      { config_key: 'extract-config/cancel.yml', run_id: 'cancel-me' },
      {},
      undefined,
      undefined,
      stop.signal,
    );
    const queued = await waitFor(
      'both waiting tables queued',
      async () => {
        const tasks = await Promise.all(
          ['onprem.waiting-1', 'onprem.waiting-2'].map((t) => pipeline.then.runnerTask('cancel-me', t)),
        );
        return tasks.every((task) => task?.status === 'QUEUED') && tasks;
      },
      LOCAL_STACK_BOUND_MS,
    );
    await waitFor(
      'the running table leased and its command started',
      async () => {
        const task = await pipeline.then.runnerTask('cancel-me', 'onprem.running');
        return task?.status === 'LEASED' && existsSync(join(scratch, 'pid'));
      },
      LOCAL_STACK_BOUND_MS,
    );
    await waitFor(
      'the glue table recorded',
      async () => {
        const records = await pipeline.then.tableRecords('cancel-me');
        return records['sales.orders']?.status === 'SUCCEEDED';
      },
      LOCAL_STACK_BOUND_MS,
    );
    const pid = Number(readFileSync(join(scratch, 'pid'), 'utf8'));

    // Act: StopExecution's local stand-in
    stop.abort();
    const run = await running;

    // Assess: the execution ended ABORTED and the run is closed CANCELLED with its counts
    expect(run.status).toBe('ABORTED');
    expect(await pipeline.then.runRecord('cancel-me')).toMatchObject({
      status: 'CANCELLED',
      error: 'RunCancelled',
      table_count: 4,
      succeeded_count: 1,
      failed_count: 0,
      skipped_count: 0,
      cancelled_count: 3,
      gsi2pk: 'RUNS#CANCELLED',
    });
    const records = await pipeline.then.tableRecords('cancel-me');
    expect(records['sales.orders']!.status).toBe('SUCCEEDED');
    for (const table of ['onprem.waiting-1', 'onprem.waiting-2', 'onprem.running'])
      expect(records[table]).toMatchObject({
        status: 'CANCELLED',
        error: 'RunCancelled',
        cause: expect.stringContaining('was stopped'),
      });

    // The queued tasks are withdrawn: a runner of their group that polls now gets nothing
    for (const task of queued)
      expect(await pipeline.then.runnerTask('cancel-me', task!.table)).toMatchObject({ status: 'CANCELED' });
    const client = new DataPipelineClient({
      endpoint: pipeline.taskRunnerEndpoint,
      region: LOCAL_REGION,
      credentials: pipeline.runnerCredentials,
    });
    try {
      const polled = await client.send(new PollForTaskCommand({ workerGroup: SDK_WORKER_GROUP }));
      expect(polled.taskObject).toBeUndefined();
    } finally {
      client.destroy();
    }

    // The running one's runner is told `canceled` at its next progress report and stops the command
    // Bounds for a loaded machine only: the runner reports progress every 200 ms here.
    const ended = await waitFor(
      'the runner to end the running task',
      () => runner.runner.outcomes.length > 0 && runner.runner.outcomes,
      LOCAL_STACK_BOUND_MS,
    );
    expect(ended).toEqual([expect.objectContaining({ status: 'CANCELED' })]);
    await waitFor('the command to be stopped', () => !isAlive(pid), LOCAL_STACK_BOUND_MS);
  });

  it('leaves a run that already ended as it was', async () => {
    // Prepare
    const run = await pipeline.when.theRunStarts({
      config_key: 'extract-config/cancel.yml',
      tables_to_extract: ['sales.orders'],
      run_id: 'ended-before',
    });
    expect(run.status).toBe('SUCCEEDED');

    // Act: a late or repeated ABORTED event for it
    const result = await pipeline.handlers.CancelRunLambdaFunction!(
      {
        'detail-type': 'Step Functions Execution Status Change',
        source: 'aws.states',
        detail: {
          name: run.executionName,
          status: 'ABORTED',
          input: JSON.stringify({ run_id: 'ended-before' }),
        },
      },
      {},
    );

    // Assess
    expect(result).toEqual({ outcome: 'already-closed', run_id: 'ended-before', status: 'SUCCEEDED' });
    expect(await pipeline.then.runRecord('ended-before')).toMatchObject({ status: 'SUCCEEDED' });
  });
});
