// Table leases on dynalite: the conditions (free, own, expired, held by a RUNNING run, taken over from one that is
// not) are DynamoDB's behaviour, so they are checked against a DynamoDB rather than a stub.
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableJob } from '../../../functions/lib/jobs/table-job';
import {
  acquireTableLeases,
  LEASE_BOUND_SECONDS,
  leaseKey,
  releaseTableLease,
  TABLE_ALREADY_RUNNING,
  type TableLease,
} from '../../../functions/lib/tracking/table-leases';
import type { RunStatus } from '../../../functions/lib/tracking/tracking-records';
import type { TrackingStore } from '../../../functions/lib/tracking/tracking-store';
import { closeEndedRun, runEnding } from '../../../functions/lib/runs/cancel-run';
import { completeRun } from '../../../functions/lib/runs/complete-run';
import { freshTrackingTablePerTest } from '../../helpers/fresh-tracking-table';
import { configBucketPerFile, glueJob, startListedRun } from '../../helpers/listed-runs';

jest.setTimeout(20_000);

const trackingTable = freshTrackingTablePerTest();
const postgresJob = (table: string) => glueJob(table, 'postgres');
const configBucket = configBucketPerFile();
let store: TrackingStore;

beforeEach(() => {
  store = trackingTable();
});

const NOW = new Date('2024-06-01T00:00:00.000Z');
const STARTED_AT = NOW.toISOString();

async function aRun(runId: string, status: RunStatus = 'RUNNING', tables: string[] = []) {
  const run = { run_id: runId, execution_name: `exec-${runId}`, trigger: 'manual', started_at: STARTED_AT };
  await startListedRun(store, configBucket(), run, tables.map(postgresJob));
  if (status !== 'RUNNING')
    await store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: `RUN#${runId}`, sk: 'RUN' },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': status },
      }),
    );
}

async function lease(table: string): Promise<TableLease | undefined> {
  const { Item } = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: leaseKey(table), ConsistentRead: true }),
  );
  return Item as TableLease | undefined;
}

describe('table leases', () => {
  it('takes a free lease, bounded in time, and lets the same run take it again', async () => {
    // Prepare
    await aRun('run-a');

    // Act
    const first = await acquireTableLeases(store, 'run-a', [postgresJob('orders')], NOW);
    const again = await acquireTableLeases(store, 'run-a', [postgresJob('orders')], NOW);

    // Assess
    expect(first[0]!.error).toBeUndefined();
    expect(again[0]!.error).toBeUndefined();
    const held = await lease('orders');
    expect(held).toMatchObject({ run_id: 'run-a', acquired_at: STARTED_AT });
    expect(held!.lease_expires_at).toBe(NOW.getTime() / 1000 + LEASE_BOUND_SECONDS);
    expect(held!.expires_at).toBeGreaterThan(held!.lease_expires_at);
    // No index attributes: a lease never shows in a table's history or the runs by status.
    expect(Object.keys(held!).filter((k) => k.startsWith('gsi'))).toEqual([]);
  });

  it('refuses a table a RUNNING run holds, naming that run, and leaves its lease alone', async () => {
    // Prepare
    await aRun('run-a');
    await aRun('run-b');
    await acquireTableLeases(store, 'run-a', [postgresJob('orders')], NOW);

    // Act
    const jobs = await acquireTableLeases(
      store,
      'run-b',
      [postgresJob('orders'), postgresJob('customers')],
      NOW,
    );

    // Assess
    expect(jobs[0]).toEqual({
      table: 'orders',
      job_type: 'glue',
      source_type: 'postgres',
      error: { Error: TABLE_ALREADY_RUNNING, Cause: expect.stringContaining('run run-a is extracting') },
    });
    expect(jobs[1]!.error).toBeUndefined();
    expect((await lease('orders'))!.run_id).toBe('run-a');
    expect((await lease('customers'))!.run_id).toBe('run-b');
  });

  it.each<[string, RunStatus | 'missing']>([
    ['SUCCEEDED', 'SUCCEEDED'],
    ['FAILED', 'FAILED'],
    ['CANCELLED', 'CANCELLED'],
    ['missing', 'missing'],
  ])('takes over a lease whose run is %s', async (_, status) => {
    // Prepare
    if (status !== 'missing') await aRun('run-a', status);
    await aRun('run-b');
    await store.db.send(
      new PutCommand({
        TableName: store.tableName,
        Item: { ...leaseKey('orders'), run_id: 'run-a', lease_expires_at: 9e9, expires_at: 9e9 },
      }),
    );

    // Act
    const jobs = await acquireTableLeases(store, 'run-b', [postgresJob('orders')], NOW);

    // Assess
    expect(jobs[0]!.error).toBeUndefined();
    expect((await lease('orders'))!.run_id).toBe('run-b');
  });

  it('takes over an expired lease even if its run still says RUNNING', async () => {
    // Prepare
    await aRun('run-a');
    await aRun('run-b');
    await acquireTableLeases(store, 'run-a', [postgresJob('orders')], NOW);
    const later = new Date(NOW.getTime() + (LEASE_BOUND_SECONDS + 1) * 1000);

    // Act
    const jobs = await acquireTableLeases(store, 'run-b', [postgresJob('orders')], later);

    // Assess
    expect(jobs[0]!.error).toBeUndefined();
    expect((await lease('orders'))!.run_id).toBe('run-b');
  });

  it('takes no lease for a table refused for another reason', async () => {
    // Prepare
    await aRun('run-a');
    const refused: TableJob = {
      table: 'bad',
      job_type: 'glue',
      error: { Error: 'ConfigValidationError', Cause: 'x' },
    };

    // Act
    const jobs = await acquireTableLeases(store, 'run-a', [refused], NOW);

    // Assess
    expect(jobs).toEqual([refused]);
    expect(await lease('bad')).toBeUndefined();
  });

  it('is released by its holder only', async () => {
    // Prepare
    await aRun('run-a');
    await acquireTableLeases(store, 'run-a', [postgresJob('orders')], NOW);

    // Act
    const byOther = await releaseTableLease(store, 'orders', 'run-b');
    const heldAfterOther = await lease('orders');
    const byHolder = await releaseTableLease(store, 'orders', 'run-a');

    // Assess
    expect(byOther).toBe(false);
    expect(heldAfterOther!.run_id).toBe('run-a');
    expect(byHolder).toBe(true);
    expect(await lease('orders')).toBeUndefined();
  });

  it('is released by Complete Extract Run for a table it closes as a leftover', async () => {
    // Prepare
    await aRun('run-a', 'RUNNING', ['orders']);
    await acquireTableLeases(store, 'run-a', [postgresJob('orders')], NOW);

    // Act
    await completeRun(
      store,
      configBucket(),
      { run_id: 'run-a', started_at: STARTED_AT, max_concurrency: 1 },
      NOW,
    );

    // Assess
    expect(await lease('orders')).toBeUndefined();
  });

  it('is released by Cancel Extract Run for a table it cancels', async () => {
    // Prepare
    await aRun('run-a', 'RUNNING', ['orders']);
    await acquireTableLeases(store, 'run-a', [postgresJob('orders')], NOW);

    // Act
    await closeEndedRun('run-a', 'exec-run-a', runEnding('ABORTED', 'exec-run-a', STARTED_AT), {
      store,
      s3: configBucket(),
      now: () => NOW,
    });

    // Assess
    expect(await lease('orders')).toBeUndefined();
  });
});
