// A table is extracted at most once at any moment, across runs: through the real statemachines/ definition on the
// local stack, a run that selects a table another RUNNING run holds records it FAILED TableAlreadyRunning (naming
// that run) and runs the rest; once the holder is closed the table runs again. Only Glue is scripted.
import { startPipeline, type Pipeline } from '../helpers/pipeline-harness';
import { LOCAL_STACK_TEST_TIMEOUT_MS } from '../helpers/wait-for';
import { acquireTableLeases, leaseKey } from '../../functions/lib/tracking/table-leases';
import type { TableJob } from '../../functions/lib/jobs/table-job';
import { completeRun } from '../../functions/lib/runs/complete-run';
import { startListedRun } from '../helpers/listed-runs';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

jest.setTimeout(LOCAL_STACK_TEST_TIMEOUT_MS);

const CONFIG_KEY = 'extract-config/leases.yml';
const CONFIG = `
tables:
  - name: sales.orders
    job_type: glue
  - name: sales.customers
    job_type: glue
  - name: sales.returns
    job_type: glue
`;
const STARTED_AT = '2024-06-01T00:00:00.000Z';

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await startPipeline();
  await pipeline.given.anExtractConfig(CONFIG, CONFIG_KEY);
});

afterAll(async () => {
  await pipeline?.close();
});

/** A run that is extracting `tables` right now: its record RUNNING, their leases its own. */
async function aRunExtracting(runId: string, tables: string[]) {
  const jobs: TableJob[] = tables.map((table) => ({
    table,
    job_type: 'glue',
    request: { JobName: 'extract-test' } as TableJob['request'],
  }));
  await startListedRun(
    pipeline.store,
    pipeline.s3,
    { run_id: runId, execution_name: `exec-${runId}`, trigger: 'manual', started_at: STARTED_AT },
    jobs,
    pipeline.names.configBucket,
  );
  const leased = await acquireTableLeases(pipeline.store, runId, jobs, new Date());
  expect(leased.every((job) => !job.error)).toBe(true);
}

async function leaseHolder(table: string): Promise<string | undefined> {
  const { Item } = await pipeline.store.db.send(
    new GetCommand({ TableName: pipeline.store.tableName, Key: leaseKey(table), ConsistentRead: true }),
  );
  return Item?.run_id as string | undefined;
}

describe('a table is extracted at most once at any moment', () => {
  it('refuses a table another RUNNING run holds, runs the rest, and runs it once the holder is done', async () => {
    // Prepare
    await aRunExtracting('run-a', ['sales.orders']);

    // Act
    const runB = await pipeline.when.theRunStarts({
      config_key: CONFIG_KEY,
      tables_to_extract: ['sales.orders', 'sales.customers'],
      run_id: 'run-b',
    });

    // Assess: orders was not started again; customers ran and gave its lease back
    expect(runB.backend.calls.map((call) => call.table)).toEqual(['sales.customers']);
    const recordsB = await pipeline.then.tableRecords('run-b');
    expect(recordsB['sales.orders']).toMatchObject({
      status: 'FAILED',
      error: 'TableAlreadyRunning',
      cause: expect.stringContaining('run-a'),
      attempts: 0,
    });
    expect(recordsB['sales.customers']).toMatchObject({ status: 'SUCCEEDED' });
    expect(await leaseHolder('sales.orders')).toBe('run-a');
    expect(await leaseHolder('sales.customers')).toBeUndefined();

    // Act: run A ends, then a run C of orders
    await completeRun(
      pipeline.store,
      pipeline.s3,
      { run_id: 'run-a', started_at: STARTED_AT, max_concurrency: 1 },
      new Date(),
    );
    const runC = await pipeline.when.theRunStarts({
      config_key: CONFIG_KEY,
      tables_to_extract: ['sales.orders'],
      run_id: 'run-c',
    });

    // Assess
    expect(runC.backend.calls.map((call) => call.table)).toEqual(['sales.orders']);
    expect((await pipeline.then.tableRecords('run-c'))['sales.orders']).toMatchObject({
      status: 'SUCCEEDED',
    });
    expect(await leaseHolder('sales.orders')).toBeUndefined();
  });

  it('takes over a lease held by a run that is no longer RUNNING', async () => {
    // Prepare: run D holds returns, and its record is closed without releasing it (as a failed run leaves it)
    await aRunExtracting('run-d', ['sales.returns']);
    await pipeline.store.db.send(
      new UpdateCommand({
        TableName: pipeline.store.tableName,
        Key: { pk: 'RUN#run-d', sk: 'RUN' },
        UpdateExpression: 'SET #status = :failed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'FAILED' },
      }),
    );
    expect(await leaseHolder('sales.returns')).toBe('run-d');

    // Act
    const runE = await pipeline.when.theRunStarts({
      config_key: CONFIG_KEY,
      tables_to_extract: ['sales.returns'],
      run_id: 'run-e',
    });

    // Assess
    expect(runE.backend.calls.map((call) => call.table)).toEqual(['sales.returns']);
    expect((await pipeline.then.tableRecords('run-e'))['sales.returns']).toMatchObject({
      status: 'SUCCEEDED',
    });
  });
});
