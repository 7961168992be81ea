// The tracking store against a real DynamoDB emulator (dynalite), with the table created from
// resources/tracking-table.yml: conditional writes, paging and the two secondary indexes are DynamoDB's
// behaviour, so they are checked against a DynamoDB rather than a stub. Runs are started as the config manager
// starts them, their table list on s3rver.
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TableJob } from '../../../functions/lib/jobs/table-job';
import { RunAlreadyExistsError } from '../../../functions/lib/errors';
import type { JobOutcome } from '../../../functions/lib/jobs/job-outcome';
import { completeRun } from '../../../functions/lib/runs/complete-run';
import { runKey, tableHistoryIndexKey, tableKey } from '../../../functions/lib/tracking/tracking-records';
import {
  failRun,
  listRunTables,
  recordTableOutcome,
  startRun,
  type NewRun,
  type RunInfo,
  type TrackingStore,
} from '../../../functions/lib/tracking/tracking-store';
import { freshTrackingTablePerTest } from '../../helpers/fresh-tracking-table';
import { configBucketPerFile, LIST_BUCKET, startListedRun } from '../../helpers/listed-runs';

jest.setTimeout(20_000);

const trackingTable = freshTrackingTablePerTest();
const configBucket = configBucketPerFile();
let store: TrackingStore;

beforeEach(() => {
  store = trackingTable();
});

const STARTED_AT = '2024-06-01T00:00:00.000Z';

function newRun(runId: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    run_id: runId,
    execution_name: `exec-${runId}`,
    trigger: 'manual',
    config_key: 'extract-config/extract-config.yml',
    started_at: STARTED_AT,
    table_count: 0,
    ...overrides,
  };
}

function runInfo(run: NewRun): RunInfo {
  return { run_id: run.run_id, started_at: run.started_at, max_concurrency: 4 };
}

function job(table: string, jobType = 'glue'): TableJob {
  return { table, job_type: jobType, source_type: 'postgres' };
}

const SUCCEEDED: JobOutcome = {
  status: 'SUCCEEDED',
  job_run_id: 'jr_ok',
  started_at: '2024-06-01T00:00:05.000Z',
  attempts: 1,
};
const FAILED: JobOutcome = {
  status: 'FAILED',
  job_run_id: 'jr_bad',
  attempts: 2,
  error: 'States.TaskFailed',
  cause: 'boom',
};

async function getItem(key: { pk: string; sk: string }) {
  const response = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: key, ConsistentRead: true }),
  );
  return response.Item;
}

async function startedRun(
  runId: string,
  tables: string[],
  overrides: Partial<NewRun> = {},
): Promise<RunInfo> {
  const run = newRun(runId, overrides);
  await startListedRun(
    store,
    configBucket(),
    run,
    tables.map((t) => job(t)),
  );
  return runInfo(run);
}

describe('tracking store: starting a run', () => {
  it('writes a RUNNING run record naming its table list, and no record per table', async () => {
    // Act
    await startedRun('r1', ['sales.orders', 'crm.accounts']);

    // Assess
    expect(await getItem(runKey('r1'))).toEqual({
      pk: 'RUN#r1',
      sk: 'RUN',
      entity: 'run',
      run_id: 'r1',
      execution_name: 'exec-r1',
      trigger: 'manual',
      config_key: 'extract-config/extract-config.yml',
      started_at: STARTED_AT,
      table_count: 2,
      table_list: { bucket: LIST_BUCKET, key: 'runs/r1/table-list/exec-r1.ndjson' },
      status: 'RUNNING',
      gsi2pk: 'RUNS#RUNNING',
      gsi2sk: `${STARTED_AT}#r1`,
    });
    expect(await listRunTables(store, 'r1')).toEqual([]);
  });

  it('lets the same execution start its run twice (a retried config manager)', async () => {
    await startedRun('r2', ['sales.orders']);

    await expect(startedRun('r2', ['sales.orders'])).resolves.toBeDefined();

    expect(await getItem(runKey('r2'))).toMatchObject({ status: 'RUNNING', execution_name: 'exec-r2' });
  });

  it('refuses a run id already used by another execution, leaving that run alone', async () => {
    // Prepare
    await startedRun('r3', ['sales.orders']);

    // Act
    const reuse = startedRun('r3', ['hr.salaries'], { execution_name: 'someone-else' });

    // Assess
    await expect(reuse).rejects.toThrow(RunAlreadyExistsError);
    await expect(reuse).rejects.toThrow(
      "run_id: 'r3' is already used by another execution; pick a new run_id",
    );
    expect(await getItem(runKey('r3'))).toMatchObject({
      execution_name: 'exec-r3',
      table_count: 1,
      table_list: { bucket: LIST_BUCKET, key: 'runs/r3/table-list/exec-r3.ndjson' },
    });
  });
});

describe('tracking store: recording a table outcome', () => {
  it("records a table's outcome, with times, duration and attempts", async () => {
    // Prepare
    const run = await startedRun('o1', ['sales.orders']);

    // Act
    const recorded = await recordTableOutcome(
      store,
      run,
      job('sales.orders'),
      SUCCEEDED,
      new Date('2024-06-01T00:02:10.400Z'),
    );

    // Assess
    expect(recorded).toEqual({ table: 'sales.orders', status: 'SUCCEEDED', applied: true });
    const item = await getItem(tableKey('o1', 'sales.orders'));
    expect(item).toMatchObject({
      status: 'SUCCEEDED',
      job_run_id: 'jr_ok',
      started_at: '2024-06-01T00:00:05.000Z',
      ended_at: '2024-06-01T00:02:10.400Z',
      duration_seconds: 125,
      attempts: 1,
      gsi1pk: 'TABLE#sales.orders',
      gsi1sk: `${STARTED_AT}#o1`,
    });
    // Optional attributes are left out, not written as nulls.
    expect(item).not.toHaveProperty('error');
    expect(item).not.toHaveProperty('cause');
  });

  it("dates a job that reported no start time from the run's start", async () => {
    const run = await startedRun('o2', ['sales.orders']);

    await recordTableOutcome(store, run, job('sales.orders'), FAILED, new Date('2024-06-01T00:01:00.000Z'));

    expect(await getItem(tableKey('o2', 'sales.orders'))).toMatchObject({
      status: 'FAILED',
      started_at: STARTED_AT,
      duration_seconds: 60,
      attempts: 2,
      error: 'States.TaskFailed',
      cause: 'boom',
    });
  });

  it('neither duplicates nor regresses a record: FAILED after SUCCEEDED is not applied and SUCCEEDED stays', async () => {
    // Prepare
    const run = await startedRun('o3', ['sales.orders']);
    const endedAt = new Date('2024-06-01T00:02:00.000Z');
    await recordTableOutcome(store, run, job('sales.orders'), SUCCEEDED, endedAt);

    // Act
    const duplicate = await recordTableOutcome(store, run, job('sales.orders'), SUCCEEDED, endedAt);
    const late = await recordTableOutcome(
      store,
      run,
      job('sales.orders'),
      FAILED,
      new Date('2024-06-01T00:09:00Z'),
    );

    // Assess
    expect(duplicate).toEqual({ table: 'sales.orders', status: 'SUCCEEDED', applied: false });
    expect(late).toEqual({ table: 'sales.orders', status: 'SUCCEEDED', applied: false });
    const records = await listRunTables(store, 'o3');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      status: 'SUCCEEDED',
      job_run_id: 'jr_ok',
      ended_at: '2024-06-01T00:02:00.000Z',
      attempts: 1,
    });
    expect(records[0]).not.toHaveProperty('error');
  });

  it('does not let SUCCEEDED overwrite an earlier FAILED either', async () => {
    const run = await startedRun('o4', ['sales.orders']);
    await recordTableOutcome(store, run, job('sales.orders'), FAILED, new Date('2024-06-01T00:01:00Z'));

    const late = await recordTableOutcome(
      store,
      run,
      job('sales.orders'),
      SUCCEEDED,
      new Date('2024-06-01T00:02:00Z'),
    );

    expect(late).toEqual({
      table: 'sales.orders',
      status: 'FAILED',
      applied: false,
      error: 'States.TaskFailed',
      cause: 'boom',
    });
    expect(await getItem(tableKey('o4', 'sales.orders'))).toMatchObject({
      status: 'FAILED',
      error: 'States.TaskFailed',
    });
  });

  it('takes an outcome over a PENDING record, as versions that wrote one per table up front left them', async () => {
    // Prepare
    const run = await startedRun('o5', ['old.table']);
    await store.db.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          ...tableKey('o5', 'old.table'),
          entity: 'table',
          run_id: 'o5',
          table: 'old.table',
          job_type: 'glue',
          status: 'PENDING',
          run_started_at: STARTED_AT,
          ...tableHistoryIndexKey('old.table', STARTED_AT, 'o5'),
        },
      }),
    );

    // Act
    const recorded = await recordTableOutcome(store, run, job('old.table'), SUCCEEDED, new Date(STARTED_AT));

    // Assess
    expect(recorded.applied).toBe(true);
    expect(await getItem(tableKey('o5', 'old.table'))).toMatchObject({ status: 'SUCCEEDED' });
  });
});

describe('tracking store: completing a run', () => {
  const NOW = new Date('2024-06-01T01:00:00.000Z');

  it('counts the outcomes, fails each listed table that has no record (OutcomeNotRecorded) and closes the run FAILED', async () => {
    // Prepare
    const run = await startedRun('c1', ['a.ok', 'b.failed', 'c.skipped', 'd.pending']);
    await recordTableOutcome(store, run, job('a.ok'), SUCCEEDED, NOW);
    await recordTableOutcome(store, run, job('b.failed'), FAILED, NOW);
    await recordTableOutcome(store, run, job('c.skipped'), { status: 'SKIPPED', attempts: 1 }, NOW);

    // Act
    const summary = await completeRun(store, configBucket(), run, NOW);

    // Assess
    const notRecorded =
      'The run ended without an outcome for this table (its status could not be recorded); check the execution history';
    expect(summary).toEqual({
      run_id: 'c1',
      status: 'FAILED',
      table_count: 4,
      succeeded: 1,
      failed: 2,
      skipped: 1,
      failed_tables: [
        { table: 'b.failed', error: 'States.TaskFailed', cause: 'boom' },
        { table: 'd.pending', error: 'OutcomeNotRecorded', cause: notRecorded },
      ],
    });
    expect(await getItem(tableKey('c1', 'd.pending'))).toMatchObject({
      status: 'FAILED',
      job_type: 'glue',
      source_type: 'postgres',
      error: 'OutcomeNotRecorded',
      cause: notRecorded,
      attempts: 0,
      ended_at: NOW.toISOString(),
    });
    expect(await getItem(runKey('c1'))).toMatchObject({
      status: 'FAILED',
      ended_at: '2024-06-01T01:00:00.000Z',
      succeeded_count: 1,
      failed_count: 2,
      skipped_count: 1,
      gsi2pk: 'RUNS#FAILED',
      gsi2sk: `${STARTED_AT}#c1`,
    });
  });

  it('closes a run SUCCEEDED when every table succeeded or was skipped, without reading its table list', async () => {
    const run = await startedRun('c2', ['a.ok', 'b.skipped']);
    await recordTableOutcome(store, run, job('a.ok'), SUCCEEDED, NOW);
    await recordTableOutcome(store, run, job('b.skipped'), { status: 'SKIPPED', attempts: 1 }, NOW);
    const s3 = Object.create(configBucket()) as ReturnType<typeof configBucket>;
    const s3Calls: unknown[] = [];
    s3.send = (async (command: unknown) => s3Calls.push(command)) as typeof s3.send;

    const summary = await completeRun(store, s3, run, NOW);

    // The records number the run's table_count: every listed table has one.
    expect(s3Calls).toEqual([]);

    expect(summary).toMatchObject({
      status: 'SUCCEEDED',
      succeeded: 1,
      failed: 0,
      skipped: 1,
      failed_tables: [],
    });
    expect(await getItem(runKey('c2'))).toMatchObject({
      status: 'SUCCEEDED',
      gsi2pk: 'RUNS#SUCCEEDED',
      succeeded_count: 1,
      failed_count: 0,
    });
  });

  it('gives the same summary when completed twice', async () => {
    const run = await startedRun('c3', ['a.ok', 'b.pending']);
    await recordTableOutcome(store, run, job('a.ok'), SUCCEEDED, NOW);

    const first = await completeRun(store, configBucket(), run, NOW);
    const second = await completeRun(store, configBucket(), run, NOW);

    expect(second).toEqual(first);
    expect(second).toMatchObject({ status: 'FAILED', succeeded: 1, failed: 1 });
  });

  it('counts and closes a run whose records take several Query pages, failing the tables without a record', async () => {
    // Prepare: 12 failures of 100 KB each fill more than one 1 MB page; a table without a record sits after each.
    const failedNames = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    const pendingNames = failedNames.map((name) => `${name}.pending`);
    const run = await startedRun('c5', [...failedNames, ...pendingNames]);
    const bigFailure = { ...FAILED, cause: 'x'.repeat(100_000) };
    for (const name of failedNames) await recordTableOutcome(store, run, job(name), bigFailure, NOW);
    const pages = await store.db.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': runKey('c5').pk },
      }),
    );
    expect(pages.LastEvaluatedKey).toBeDefined();

    // Act
    const summary = await completeRun(store, configBucket(), run, NOW);

    // Assess
    expect(summary).toMatchObject({ status: 'FAILED', table_count: 24, succeeded: 0, failed: 24 });
    // The recorded failures as the pages had them, then the tables the run's list has and the records had not.
    expect(summary.failed_tables.map((t) => t.table)).toEqual([...failedNames, ...pendingNames]);
    const records = await listRunTables(store, 'c5');
    expect(records).toHaveLength(24);
    expect(records.filter((r) => r.error === 'OutcomeNotRecorded').map((r) => r.table)).toEqual(pendingNames);
  });

  it('keeps an outcome recorded between its read of the records and its own write, and counts it as it is', async () => {
    // Prepare: the status handler records late.table just before completeRun's leftover write reaches it.
    const run = await startedRun('c6', ['a.ok', 'late.table']);
    await recordTableOutcome(store, run, job('a.ok'), SUCCEEDED, NOW);
    const send = store.db.send.bind(store.db) as (command: unknown) => Promise<unknown>;
    const db = Object.create(store.db) as TrackingStore['db'];
    let raced = false;
    db.send = (async (command: unknown) => {
      const key = (command as { input?: { Item?: { sk?: string } } }).input?.Item?.sk;
      if (!raced && command instanceof PutCommand && key === tableKey('c6', 'late.table').sk) {
        raced = true;
        await recordTableOutcome(store, run, job('late.table'), SUCCEEDED, NOW);
      }
      return send(command);
    }) as TrackingStore['db']['send'];

    // Act
    const summary = await completeRun({ ...store, db }, configBucket(), run, NOW);

    // Assess
    expect(raced).toBe(true);
    expect(summary).toMatchObject({ status: 'SUCCEEDED', table_count: 2, succeeded: 2, failed: 0 });
    expect(await getItem(tableKey('c6', 'late.table'))).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
  });

  it('fails the PENDING records of a run started by a version that wrote them up front (no table list)', async () => {
    // Prepare
    const run = runInfo(newRun('c7'));
    await startRun(store, newRun('c7', { table_count: 2 }));
    for (const table of ['a.ok', 'b.pending'])
      await store.db.send(
        new PutCommand({
          TableName: store.tableName,
          Item: {
            ...tableKey('c7', table),
            entity: 'table',
            run_id: 'c7',
            table,
            job_type: 'glue',
            status: 'PENDING',
            run_started_at: STARTED_AT,
            ...tableHistoryIndexKey(table, STARTED_AT, 'c7'),
          },
        }),
      );
    await recordTableOutcome(store, run, job('a.ok'), SUCCEEDED, NOW);

    // Act
    const summary = await completeRun(store, configBucket(), run, NOW);

    // Assess
    expect(summary).toMatchObject({ status: 'FAILED', table_count: 2, succeeded: 1, failed: 1 });
    expect(await getItem(tableKey('c7', 'b.pending'))).toMatchObject({
      status: 'FAILED',
      error: 'OutcomeNotRecorded',
    });
  });

  it('refuses to complete a run that was never started', async () => {
    const ghost: RunInfo = { run_id: 'never-started', started_at: STARTED_AT, max_concurrency: 1 };

    await expect(completeRun(store, configBucket(), ghost, NOW)).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    expect(await getItem(runKey('never-started'))).toBeUndefined();
  });
});

describe('tracking store: failing a run before it starts', () => {
  it('writes a FAILED run record with the error name and message', async () => {
    const recorded = await failRun(
      store,
      newRun('f1'),
      new RangeError('config too big'),
      '2024-06-01T00:00:01.000Z',
    );

    expect(recorded).toBe(true);
    expect(await getItem(runKey('f1'))).toMatchObject({
      status: 'FAILED',
      error: 'RangeError',
      cause: 'config too big',
      ended_at: '2024-06-01T00:00:01.000Z',
      gsi2pk: 'RUNS#FAILED',
      gsi2sk: `${STARTED_AT}#f1`,
    });
  });

  it('leaves a run of another execution alone, without throwing, when its run id is reused', async () => {
    // Prepare
    await startedRun('f2', ['sales.orders']);

    // Act
    const recorded = await failRun(
      store,
      newRun('f2', { execution_name: 'someone-else' }),
      new Error('bad event'),
      '2024-06-01T00:00:01.000Z',
    );

    // Assess
    expect(recorded).toBe(false);
    expect(await getItem(runKey('f2'))).toMatchObject({ status: 'RUNNING', execution_name: 'exec-f2' });
    expect(await getItem(runKey('f2'))).not.toHaveProperty('error');
  });
});

describe('tracking store: secondary indexes', () => {
  it('answers "history of table T" with a Query on by-table, newest run first, without run records', async () => {
    // Prepare
    for (const [runId, startedAt] of [
      ['h-may', '2024-05-01T00:00:00.000Z'],
      ['h-jun', '2024-06-01T00:00:00.000Z'],
      ['h-jul', '2024-07-01T00:00:00.000Z'],
    ] as const) {
      const run = await startedRun(runId, ['sales.orders', 'crm.accounts'], { started_at: startedAt });
      if (runId !== 'h-jul')
        await recordTableOutcome(store, run, job('sales.orders'), SUCCEEDED, new Date(startedAt));
    }

    // Act
    const history = await store.db.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: 'by-table',
        KeyConditionExpression: 'gsi1pk = :table',
        ExpressionAttributeValues: { ':table': 'TABLE#sales.orders' },
        ScanIndexForward: false,
      }),
    );

    // Assess
    expect(history.Items?.map((i) => [i.run_id, i.table, i.status])).toEqual([
      ['h-jun', 'sales.orders', 'SUCCEEDED'],
      ['h-may', 'sales.orders', 'SUCCEEDED'],
    ]);
  });

  it('narrows a table history to a time range with the sort key', async () => {
    for (const [runId, startedAt] of [
      ['t-may', '2024-05-15T00:00:00.000Z'],
      ['t-jun', '2024-06-15T00:00:00.000Z'],
    ] as const)
      await recordTableOutcome(
        store,
        await startedRun(runId, ['sales.orders'], { started_at: startedAt }),
        job('sales.orders'),
        SUCCEEDED,
        new Date(startedAt),
      );

    const june = await store.db.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: 'by-table',
        KeyConditionExpression: 'gsi1pk = :table AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':table': 'TABLE#sales.orders',
          ':from': '2024-06-01',
          ':to': '2024-07-01',
        },
      }),
    );

    expect(june.Items?.map((i) => i.run_id)).toEqual(['t-jun']);
  });

  it('answers "runs by status" with a Query on by-status, a completed run moving to its final status', async () => {
    // Prepare
    const done = await startedRun('s-done', ['a'], { started_at: '2024-06-01T00:00:00.000Z' });
    await startedRun('s-running', ['a'], { started_at: '2024-06-02T00:00:00.000Z' });
    await failRun(
      store,
      newRun('s-broken', { started_at: '2024-06-03T00:00:00.000Z' }),
      new Error('x'),
      STARTED_AT,
    );
    await recordTableOutcome(store, done, job('a'), SUCCEEDED, new Date('2024-06-01T00:10:00Z'));
    await completeRun(store, configBucket(), done, new Date('2024-06-01T00:10:00Z'));

    // Act
    const runsWith = async (status: string) => {
      const page = await store.db.send(
        new QueryCommand({
          TableName: store.tableName,
          IndexName: 'by-status',
          KeyConditionExpression: 'gsi2pk = :status',
          ExpressionAttributeValues: { ':status': `RUNS#${status}` },
        }),
      );
      return page.Items?.map((i) => [i.run_id, i.entity]);
    };

    // Assess
    expect(await runsWith('RUNNING')).toEqual([['s-running', 'run']]);
    expect(await runsWith('SUCCEEDED')).toEqual([['s-done', 'run']]);
    expect(await runsWith('FAILED')).toEqual([['s-broken', 'run']]);
  });
});
