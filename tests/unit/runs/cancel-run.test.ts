// Closing a run whose execution ended without Complete Extract Run (functions/lib/runs/cancel-run.ts) on dynalite
// and s3rver: the tables of its list without a record become CANCELLED (stopped) or FAILED (timed out, failed), an
// outcome recorded first is kept and counted as what it is, and the run record is closed with the counts.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { closeEndedRun, runEnding } from '../../../functions/lib/runs/cancel-run';
import { acquireTableLeases, leaseKey } from '../../../functions/lib/tracking/table-leases';
import { tableKey } from '../../../functions/lib/tracking/tracking-records';
import {
  listRunTables,
  readRunRecord,
  recordTableOutcome,
  type TrackingStore,
} from '../../../functions/lib/tracking/tracking-store';
import { freshTrackingTablePerTest } from '../../helpers/fresh-tracking-table';
import { configBucketPerFile, glueJob, startListedRun } from '../../helpers/listed-runs';

jest.setTimeout(20_000);

const trackingTable = freshTrackingTablePerTest();
const configBucket = configBucketPerFile();
const NOW = new Date('2024-06-01T00:00:00.000Z');
const STOPPED = runEnding('ABORTED', 'exec-run-c', NOW.toISOString());
const RUN = {
  run_id: 'run-c',
  execution_name: 'exec-run-c',
  trigger: 'manual',
  started_at: NOW.toISOString(),
};

async function aRunningRun(store: TrackingStore, tables: string[]) {
  await startListedRun(
    store,
    configBucket(),
    RUN,
    tables.map((table) => glueJob(table)),
  );
}

/** A document client on which an outcome is recorded just before the cancel's write to `table` arrives. */
function outcomeWinsTheRace(store: TrackingStore, table: string): TrackingStore {
  const send = store.db.send.bind(store.db) as (command: unknown) => Promise<unknown>;
  let raced = false;
  const db = Object.create(store.db) as TrackingStore['db'];
  db.send = (async (command: unknown) => {
    const item = (command as { input?: { Item?: { sk?: string } } }).input?.Item;
    if (!raced && command instanceof PutCommand && item?.sk === tableKey(RUN.run_id, table).sk) {
      raced = true;
      await recordTableOutcome(
        store,
        { run_id: RUN.run_id, started_at: RUN.started_at, max_concurrency: 1 },
        glueJob(table),
        { status: 'SUCCEEDED', attempts: 1, job_run_id: 'jr_1' },
        NOW,
      );
    }
    return send(command);
  }) as TrackingStore['db']['send'];
  return { ...store, db };
}

describe('closing a run whose execution ended without Complete Extract Run', () => {
  it('cancels the tables that have no record, and closes the run CANCELLED with its counts', async () => {
    // Prepare
    const store = trackingTable();
    await aRunningRun(store, ['orders', 'customers', 'invoices']);
    await recordTableOutcome(
      store,
      { run_id: RUN.run_id, started_at: RUN.started_at, max_concurrency: 1 },
      glueJob('invoices'),
      { status: 'FAILED', attempts: 1, error: 'States.TaskFailed' },
      NOW,
    );

    // Act
    const result = await closeEndedRun(RUN.run_id, RUN.execution_name, STOPPED, {
      store,
      s3: configBucket(),
      now: () => NOW,
    });

    // Assess
    expect(result).toMatchObject({
      outcome: 'closed',
      status: 'CANCELLED',
      closed: true,
      counts: { tables: 3, succeeded: 0, failed: 1, skipped: 0, cancelled: 2 },
    });
    expect(result.outcome === 'closed' && [...result.closed_tables].sort()).toEqual(['customers', 'orders']);
    const records = Object.fromEntries(
      (await listRunTables(store, RUN.run_id)).map((t) => [t.table, [t.status, t.error]]),
    );
    expect(records).toEqual({
      orders: ['CANCELLED', 'RunCancelled'],
      customers: ['CANCELLED', 'RunCancelled'],
      invoices: ['FAILED', 'States.TaskFailed'],
    });
    expect(await readRunRecord(store, RUN.run_id)).toMatchObject({
      status: 'CANCELLED',
      cancelled_count: 2,
      failed_count: 1,
    });
  });

  it('keeps an outcome recorded between its read and its write, and counts it as that outcome', async () => {
    // Prepare
    const store = trackingTable();
    await aRunningRun(store, ['orders', 'customers']);

    // Act
    const result = await closeEndedRun(RUN.run_id, RUN.execution_name, STOPPED, {
      store: outcomeWinsTheRace(store, 'orders'),
      s3: configBucket(),
      now: () => NOW,
    });

    // Assess
    expect(result).toMatchObject({
      closed_tables: ['customers'],
      counts: { tables: 2, succeeded: 1, cancelled: 1 },
    });
    const records = Object.fromEntries(
      (await listRunTables(store, RUN.run_id)).map((t) => [t.table, t.status]),
    );
    expect(records).toEqual({ orders: 'SUCCEEDED', customers: 'CANCELLED' });
    expect(await readRunRecord(store, RUN.run_id)).toMatchObject({ succeeded_count: 1, cancelled_count: 1 });
  });

  it('fails the tables without an outcome, releases their leases and closes the run FAILED when its execution timed out', async () => {
    // Prepare
    const store = trackingTable();
    await aRunningRun(store, ['orders', 'customers']);
    await acquireTableLeases(store, RUN.run_id, [glueJob('customers')], NOW);
    await recordTableOutcome(
      store,
      { run_id: RUN.run_id, started_at: RUN.started_at, max_concurrency: 1 },
      glueJob('orders'),
      { status: 'SUCCEEDED', attempts: 1 },
      NOW,
    );

    // Act
    const result = await closeEndedRun(
      RUN.run_id,
      RUN.execution_name,
      runEnding('TIMED_OUT', RUN.execution_name, NOW.toISOString()),
      { store, s3: configBucket(), now: () => NOW },
    );

    // Assess
    const cause = `Execution exec-run-c timed out at ${NOW.toISOString()}, before the run was closed; see its history`;
    expect(result).toMatchObject({
      outcome: 'closed',
      status: 'FAILED',
      closed_tables: ['customers'],
      counts: { tables: 2, succeeded: 1, failed: 1, cancelled: 0 },
    });
    expect(
      Object.fromEntries(
        (await listRunTables(store, RUN.run_id)).map((t) => [t.table, [t.status, t.error, t.cause]]),
      ),
    ).toEqual({
      orders: ['SUCCEEDED', undefined, undefined],
      customers: ['FAILED', 'ExecutionTimedOut', cause],
    });
    expect(await readRunRecord(store, RUN.run_id)).toMatchObject({
      status: 'FAILED',
      error: 'ExecutionTimedOut',
      cause,
      succeeded_count: 1,
      failed_count: 1,
      gsi2pk: 'RUNS#FAILED',
    });
    const { Item: lease } = await store.db.send(
      new GetCommand({ TableName: store.tableName, Key: leaseKey('customers'), ConsistentRead: true }),
    );
    expect(lease).toBeUndefined();
  });

  it('leaves alone a run whose id another execution owns (this one failed with RunAlreadyExistsError)', async () => {
    // Prepare
    const store = trackingTable();
    await aRunningRun(store, ['orders']);

    // Act
    const result = await closeEndedRun(
      RUN.run_id,
      'exec-that-reused-the-id',
      runEnding('FAILED', 'exec-that-reused-the-id', NOW.toISOString()),
      { store, s3: configBucket(), now: () => NOW },
    );

    // Assess
    expect(result).toEqual({ outcome: 'not-ours', run_id: RUN.run_id, execution_name: RUN.execution_name });
    expect(await readRunRecord(store, RUN.run_id)).toMatchObject({ status: 'RUNNING' });
    expect(await listRunTables(store, RUN.run_id)).toEqual([]);
  });
});
