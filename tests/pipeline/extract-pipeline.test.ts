// The real statemachines/ definition in aws-local-stepfunctions, with the real handlers against dynalite and
// s3rver; only Glue, EMR and ECS are scripted. Each test asserts the tracking records and the execution output.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { leaseKey } from '../../functions/lib/tracking/table-leases';
import { startPipeline, type Pipeline } from '../helpers/pipeline-harness';
import { LOCAL_STACK_TEST_TIMEOUT_MS } from '../helpers/wait-for';

const SAMPLE_CONFIG = readFileSync(join(__dirname, '..', 'events', 'extract-config.yml'), 'utf8');
const ALL_TABLES = ['sales.orders', 'sales.order_lines', 'crm.accounts', 'events.clicks'];

// The local stack's bound: the 600-table run (records and leases of every table) took 26-34 s on a loaded machine.
jest.setTimeout(LOCAL_STACK_TEST_TIMEOUT_MS);

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await startPipeline();
  await pipeline.given.anExtractConfig(SAMPLE_CONFIG);
});

afterAll(async () => {
  await pipeline?.close();
});

type LoggedEvent = { type: string; state?: { name: string; output?: unknown } };

function statesEntered(events: unknown[]): string[] {
  return (events as LoggedEvent[]).filter((e) => e.type === 'StateEntered').map((e) => e.state!.name);
}

function stateOutput(events: unknown[], state: string): unknown {
  return (events as LoggedEvent[]).find((e) => e.type === 'StateExited' && e.state?.name === state)?.state
    ?.output;
}

function retriesOf(events: unknown[], state: string): number {
  return (events as LoggedEvent[]).filter((e) => e.type === 'StateRetried' && e.state?.name === state).length;
}

describe('extract pipeline', () => {
  it('extracts every table on its job type and records each SUCCEEDED', async () => {
    // Act
    const run = await pipeline.when.theRunStarts({ tables_to_extract: ALL_TABLES, run_id: 'all-succeed' });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({
      run_id: 'all-succeed',
      status: 'SUCCEEDED',
      table_count: 4,
      succeeded: 4,
      failed: 0,
      skipped: 0,
      failed_tables: [],
    });
    const records = await pipeline.then.tableRecords('all-succeed');
    expect(Object.keys(records).sort()).toEqual([...ALL_TABLES].sort());
    for (const table of ALL_TABLES)
      expect(records[table]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    expect(records['sales.orders']).toMatchObject({ job_type: 'glue', source_type: 'postgres' });
    expect(records['sales.orders']!.job_run_id).toMatch(/^jr_/);
    expect(records['sales.orders']!.started_at).toBeDefined();
    expect(records['sales.orders']!.ended_at).toBeDefined();
    expect(records['sales.orders']!.duration_seconds).toBeGreaterThanOrEqual(0);
    expect(records['crm.accounts']).toMatchObject({ job_type: 'emr', source_type: 'mysql' });
    expect(records['events.clicks']!.job_run_id).toMatch(/^arn:aws:ecs:/);
    expect(await pipeline.then.runRecord('all-succeed')).toMatchObject({
      status: 'SUCCEEDED',
      trigger: 'manual',
      config_key: 'extract-config/extract-config.yml',
      table_count: 4,
      succeeded_count: 4,
      failed_count: 0,
    });

    // The job states received the stage defaults merged with the table overrides.
    const glue = run.backend.calls.filter((c) => c.jobType === 'glue');
    const orders = glue.find((c) => c.table === 'sales.orders')!.request;
    expect(orders).toMatchObject({
      JobName: 'extract-test',
      NumberOfWorkers: 2,
      WorkerType: 'G.1X',
      Timeout: 60,
    });
    expect(orders.Arguments).toEqual({
      '--table': 'sales.orders',
      '--job_type': 'glue',
      '--run_id': 'all-succeed',
      '--source_type': 'postgres',
      '--source_secret_arn': 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sales-db-AbCdEf',
      '--target_path': 's3://example-lake/raw',
      '--fetch_size': '10000',
      '--partition_column': 'order_date',
    });
    const lines = glue.find((c) => c.table === 'sales.order_lines')!.request;
    expect(lines).toMatchObject({ JobName: 'extract-test-large', NumberOfWorkers: 10, WorkerType: 'G.2X' });
    const emr = run.backend.calls.find((c) => c.jobType === 'emr')!.request;
    expect(emr).toMatchObject({
      ApplicationId: '00fabc123example',
      JobDriver: {
        SparkSubmit: {
          EntryPoint: 's3://artifacts/extract.py',
          SparkSubmitParameters: '--conf spark.executor.memory=4g',
        },
      },
    });
    const ecs = run.backend.calls.find((c) => c.jobType === 'ecs')!.request;
    expect(ecs).toMatchObject({
      Cluster: 'extract',
      TaskDefinition: 'extract-task:3',
      LaunchType: 'FARGATE',
    });
    expect(statesEntered(run.events)).toEqual(
      expect.arrayContaining([
        'Extract Config Manager',
        'Iterate Through Extract Tables',
        'Choose Job Type',
        'Glue Start Extract Job Run',
        'EMR Start Extract Job Run',
        'ECS Run Extract Task',
        'Handle Extract Job Run Status',
        'Complete Extract Run',
      ]),
    );
  });

  it('runs each quota group and each table as a child execution, and each Map Run writes its manifest where its ResultWriter says', async () => {
    // Act: a Glue and an ECS table, so two quota groups
    const run = await pipeline.when.theRunStarts({
      tables_to_extract: ['sales.orders', 'events.clicks'],
      run_id: 'map-results',
    });

    // Assess: one Map Run for the groups, one per group for its tables, each with its manifest
    expect(run.status).toBe('SUCCEEDED');
    const children = (run.events as { type: string; execution?: { map: string } }[]).filter(
      (e) => e.type === 'ExecutionStarted' && e.execution,
    );
    expect(children.map((e) => e.execution!.map).sort()).toEqual([
      'Iterate Through Extract Tables',
      'Iterate Through Extract Tables',
      'Iterate Through Quota Groups',
      'Iterate Through Quota Groups',
    ]);
    const bucket = pipeline.names.configBucket;
    const listed = await pipeline.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'runs/map-results/results/' }),
    );
    const manifests = (listed.Contents ?? [])
      .map((o) => o.Key!)
      .filter((key) => key.endsWith('/manifest.json'));
    expect(manifests).toHaveLength(3);
    const read = async (key: string) =>
      JSON.parse(
        await (
          await pipeline.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        ).Body!.transformToString(),
      ) as { MapRunArn: string; ResultFiles: Record<string, unknown[]> };
    const labels = [];
    for (const key of manifests) {
      const manifest = await read(key);
      labels.push(manifest.MapRunArn.split('/').pop()!.split(':')[0]);
      // Every child succeeded, and locally only failed children's results are written.
      expect(manifest.ResultFiles).toEqual({ FAILED: [], PENDING: [], SUCCEEDED: [] });
    }
    expect(labels.sort()).toEqual(['ExtractTables', 'ExtractTables', 'QuotaGroups']);
  });

  it('extracts every enabled table in the config when the event names none', async () => {
    const run = await pipeline.when.theRunStarts({ run_id: 'whole-config' });

    expect(run.output).toMatchObject({ status: 'SUCCEEDED', table_count: 4, succeeded: 4 });
    expect(Object.keys(await pipeline.then.tableRecords('whole-config')).sort()).toEqual(
      [...ALL_TABLES].sort(),
    );
  });

  it.each([
    ['glue', 'sales.orders', 'Glue Start Extract Job Run', 'JDBC connection refused'],
    ['emr', 'crm.accounts', 'EMR Start Extract Job Run', 'Spark driver OOM'],
    ['ecs', 'events.clicks', 'ECS Run Extract Task', 'Essential container exited'],
  ])(
    'records a FAILED row when the %s job fails, and the other tables still succeed',
    async (jobType, table, state, cause) => {
      const runId = `${jobType}-fails`;

      const run = await pipeline.when.theRunStarts(
        { tables_to_extract: ALL_TABLES, run_id: runId },
        { tables: { [table]: { fail: { error: 'States.TaskFailed', cause } } } },
      );

      expect(run.status).toBe('SUCCEEDED');
      expect(run.output).toMatchObject({ status: 'FAILED', table_count: 4, succeeded: 3, failed: 1 });
      expect((run.output as { failed_tables: unknown[] }).failed_tables).toEqual([
        expect.objectContaining({ table, error: 'States.TaskFailed', cause: expect.stringContaining(cause) }),
      ]);
      const records = await pipeline.then.tableRecords(runId);
      expect(records[table]).toMatchObject({
        status: 'FAILED',
        job_type: jobType,
        error: 'States.TaskFailed',
      });
      expect(records[table]!.cause).toContain(cause);
      // The failed run's own id is read out of the service's description in the Cause.
      expect(records[table]!.job_run_id).toBeTruthy();
      for (const other of ALL_TABLES.filter((t) => t !== table))
        expect(records[other]!.status).toBe('SUCCEEDED');
      expect(statesEntered(run.events)).toContain(state);
      expect(await pipeline.then.runRecord(runId)).toMatchObject({
        status: 'FAILED',
        succeeded_count: 3,
        failed_count: 1,
      });
    },
  );

  it('retries a throttled Glue start with backoff, then records SUCCEEDED', async () => {
    const run = await pipeline.when.theRunStarts(
      { tables_to_extract: ['sales.orders'], run_id: 'throttled' },
      { tables: { 'sales.orders': { throttle: 2 } } },
    );

    expect(run.output).toMatchObject({ status: 'SUCCEEDED', succeeded: 1 });
    expect(retriesOf(run.events, 'Glue Start Extract Job Run')).toBe(2);
    expect(run.backend.calls.map((c) => c.outcome)).toEqual(['throttled', 'throttled', 'succeeded']);
    expect((await pipeline.then.tableRecords('throttled'))['sales.orders']!.status).toBe('SUCCEEDED');
  });

  it('records FAILED once throttling outlasts the retries', async () => {
    const run = await pipeline.when.theRunStarts(
      { tables_to_extract: ['sales.orders'], run_id: 'throttled-out' },
      { tables: { 'sales.orders': { throttle: 100 } } },
    );

    expect(run.output).toMatchObject({ status: 'FAILED', failed: 1 });
    expect((await pipeline.then.tableRecords('throttled-out'))['sales.orders']).toMatchObject({
      status: 'FAILED',
      error: 'Glue.ConcurrentRunsExceededException',
    });
  });

  it('sends an unknown job type down the default branch and records it FAILED naming the value', async () => {
    await pipeline.given.anExtractConfig(
      'tables:\n  - name: legacy.items\n    job_type: dms\n  - name: sales.orders\n    job_type: glue\n',
      'extract-config/unknown-type.yml',
    );

    const run = await pipeline.when.theRunStarts({
      config_key: 'extract-config/unknown-type.yml',
      run_id: 'unknown-type',
    });

    expect(run.output).toMatchObject({ status: 'FAILED', succeeded: 1, failed: 1 });
    const record = (await pipeline.then.tableRecords('unknown-type'))['legacy.items']!;
    expect(record).toMatchObject({ status: 'FAILED', job_type: 'dms', error: 'UnknownJobTypeError' });
    expect(record.cause).toContain("job_type 'dms'");
    expect(run.backend.calls.map((c) => c.table)).toEqual(['sales.orders']);
  });

  it('records a table asked for but missing from the config as FAILED, never dropping it', async () => {
    const run = await pipeline.when.theRunStarts({
      tables_to_extract: ['sales.orders', 'hr.salaries'],
      run_id: 'missing-table',
    });

    expect(run.output).toMatchObject({ status: 'FAILED', table_count: 2, succeeded: 1, failed: 1 });
    expect((await pipeline.then.tableRecords('missing-table'))['hr.salaries']).toMatchObject({
      status: 'FAILED',
      attempts: 0,
      error: 'TableNotInConfigError',
      cause: expect.stringContaining('not in the extract config'),
    });
  });

  it('records invalid and duplicated config entries FAILED with the table and field, and runs the rest', async () => {
    await pipeline.given.anExtractConfig(
      [
        'tables:',
        '  - name: ok.table',
        '    job_type: glue',
        '  - name: bad.workers',
        '    job_type: glue',
        '    glue: { number_of_workers: 0 }',
        '  - name: twice',
        '    job_type: glue',
        '  - name: twice',
        '    job_type: emr',
        '  - name: leaky',
        '    job_type: glue',
        '    arguments: { db_password: hunter2 }',
        '  - name: not.allowed',
        '    job_type: glue',
        '    glue: { job_name: somebody-elses-job }',
      ].join('\n'),
      'extract-config/invalid-entries.yml',
    );

    const run = await pipeline.when.theRunStarts({
      config_key: 'extract-config/invalid-entries.yml',
      run_id: 'invalid-entries',
    });

    expect(run.output).toMatchObject({ status: 'FAILED', table_count: 5, succeeded: 1, failed: 4 });
    const records = await pipeline.then.tableRecords('invalid-entries');
    expect(records['ok.table']!.status).toBe('SUCCEEDED');
    expect(records['bad.workers']!.cause).toMatch(/tables\[1\] \(bad\.workers\)\.glue\.number_of_workers/);
    expect(records['twice']!.cause).toMatch(/defined more than once \(tables\[2\], tables\[3\]\)/);
    expect(records['leaky']!.cause).toMatch(/arguments\.db_password: looks like a credential/);
    expect(records['not.allowed']).toMatchObject({ status: 'FAILED', error: 'TableJobError' });
    expect(records['not.allowed']!.cause).toContain("glue.job_name: 'somebody-elses-job'");
    expect(run.backend.calls.map((c) => c.table)).toEqual(['ok.table']);
  });

  it('retries a status handler that fails transiently and records the table once', async () => {
    const real = pipeline.handlers.HandleJobRunStatusLambdaFunction!;
    let failures = 0;
    pipeline.handlers.HandleJobRunStatusLambdaFunction = async (event, context) => {
      if (failures++ === 0)
        throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' });
      return real(event, context);
    };
    try {
      const run = await pipeline.when.theRunStarts({
        tables_to_extract: ['sales.orders'],
        run_id: 'handler-retry',
      });

      expect(run.output).toMatchObject({ status: 'SUCCEEDED', succeeded: 1 });
      expect(retriesOf(run.events, 'Handle Extract Job Run Status')).toBe(1);
    } finally {
      pipeline.handlers.HandleJobRunStatusLambdaFunction = real;
    }
  });

  it('marks a table FAILED when its outcome cannot be recorded, without stopping the other tables', async () => {
    const real = pipeline.handlers.HandleJobRunStatusLambdaFunction!;
    pipeline.handlers.HandleJobRunStatusLambdaFunction = async (event, context) => {
      if ((event as { table: { table: string } }).table.table === 'crm.accounts')
        throw new TypeError('broken handler');
      return real(event, context);
    };
    try {
      const run = await pipeline.when.theRunStarts({
        tables_to_extract: ALL_TABLES,
        run_id: 'handler-broken',
      });

      // crm.accounts never got a record (none is written before an outcome): the run's table list has it.
      expect(run.status).toBe('SUCCEEDED');
      expect(run.output).toMatchObject({
        status: 'FAILED',
        table_count: 4,
        succeeded: 3,
        failed: 1,
        failed_tables: [expect.objectContaining({ table: 'crm.accounts', error: 'OutcomeNotRecorded' })],
      });
      expect(statesEntered(run.events)).toContain('Outcome Not Recorded');
      expect((await pipeline.then.tableRecords('handler-broken'))['crm.accounts']).toMatchObject({
        status: 'FAILED',
        error: 'OutcomeNotRecorded',
      });
    } finally {
      pipeline.handlers.HandleJobRunStatusLambdaFunction = real;
    }
  });

  it('closes the run FAILED when its execution fails after the Map (Complete Extract Run broken), releasing its leases', async () => {
    // Prepare: one table's outcome cannot be recorded, and Complete Extract Run fails with an error it does not retry
    const realStatus = pipeline.handlers.HandleJobRunStatusLambdaFunction!;
    const realComplete = pipeline.handlers.CompleteRunLambdaFunction!;
    pipeline.handlers.HandleJobRunStatusLambdaFunction = async (event, context) => {
      if ((event as { table: { table: string } }).table.table === 'crm.accounts')
        throw new TypeError('broken handler');
      return realStatus(event, context);
    };
    pipeline.handlers.CompleteRunLambdaFunction = async (event, context) => {
      if ('run' in (event as object)) throw new TypeError('broken complete-run');
      return realComplete(event, context);
    };
    try {
      // Act: the execution fails; the stage's rule (ABORTED, TIMED_OUT, FAILED) invokes Cancel Extract Run
      const run = await pipeline.when.theRunStarts({
        tables_to_extract: ['sales.orders', 'crm.accounts'],
        run_id: 'execution-failed',
      });

      // Assess
      expect(run).toMatchObject({ status: 'FAILED', error: 'TypeError' });
      expect(await pipeline.then.runRecord('execution-failed')).toMatchObject({
        status: 'FAILED',
        error: 'ExecutionFailed',
        cause: expect.stringMatching(/^Execution \S+ failed at /),
        succeeded_count: 1,
        failed_count: 1,
        gsi2pk: 'RUNS#FAILED',
      });
      const tables = await pipeline.then.tableRecords('execution-failed');
      expect(tables['sales.orders']).toMatchObject({ status: 'SUCCEEDED' });
      expect(tables['crm.accounts']).toMatchObject({ status: 'FAILED', error: 'ExecutionFailed' });
      const { Item: lease } = await pipeline.store.db.send(
        new GetCommand({
          TableName: pipeline.store.tableName,
          Key: leaseKey('crm.accounts'),
          ConsistentRead: true,
        }),
      );
      expect(lease).toBeUndefined();
    } finally {
      pipeline.handlers.HandleJobRunStatusLambdaFunction = realStatus;
      pipeline.handlers.CompleteRunLambdaFunction = realComplete;
    }
  });

  it('fails the run with a named error and a FAILED run record when the config is invalid', async () => {
    await pipeline.given.anExtractConfig('tables: {not: a list}\n', 'extract-config/broken.yml');

    const run = await pipeline.when.theRunStarts({
      config_key: 'extract-config/broken.yml',
      run_id: 'broken-config',
    });

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ConfigValidationError');
    expect(run.cause).toContain('tables');
    expect(await pipeline.then.runRecord('broken-config')).toMatchObject({
      status: 'FAILED',
      error: 'ConfigValidationError',
      config_key: 'extract-config/broken.yml',
    });
  });

  it('fails the run with ConfigNotFoundError when the config object does not exist', async () => {
    const run = await pipeline.when.theRunStarts({
      config_key: 'extract-config/nope.yml',
      run_id: 'no-config',
    });

    expect(run).toMatchObject({ status: 'FAILED', error: 'ConfigNotFoundError' });
    expect(run.cause).toContain('config_key');
    expect((await pipeline.then.runRecord('no-config'))!.status).toBe('FAILED');
  });

  it.each([
    ['a misspelt key', { tables_to_extarct: ['sales.orders'] }, 'tables_to_extarct'],
    ['a string for the list', { tables_to_extract: 'sales.orders' }, 'tables_to_extract'],
    ['an invalid table name', { tables_to_extract: ['bad name!'] }, 'tables_to_extract[0]'],
    [
      'an oversized list',
      { tables_to_extract: Array.from({ length: 1001 }, (_, i) => `t${i}`) },
      'limit of 1000',
    ],
  ])(
    'rejects an event with %s, naming the field, and records the run FAILED',
    async (_label, event, field) => {
      const executionName = `bad-event-${field.replace(/[^a-z0-9]/gi, '')}`;

      const run = await pipeline.when.theRunStarts(event, {}, executionName);

      expect(run).toMatchObject({ status: 'FAILED', error: 'InvalidEventError' });
      expect(run.cause).toContain(field);
      expect(await pipeline.then.runRecord(executionName)).toMatchObject({
        status: 'FAILED',
        error: 'InvalidEventError',
      });
    },
  );

  it('runs more tables than one state payload could carry, reading the Map items from S3', async () => {
    // Prepare: 100 tables of wide job requests (12 KB each, near the 4 KB limit per argument value), several
    // times the 256 KB a state payload may hold; it is the bytes that matter, so few tables suffice
    const padding = 'x'.repeat(4000);
    const names = Array.from({ length: 100 }, (_, i) => `wide.t${i}`);
    const tables = names.map(
      (name) =>
        `  - { name: ${name}, job_type: glue, arguments: { a: ${padding}, b: ${padding}, c: ${padding} } }`,
    );
    await pipeline.given.anExtractConfig(`tables:\n${tables.join('\n')}\n`, 'extract-config/wide.yml');

    // Act
    const run = await pipeline.when.theRunStarts({
      config_key: 'extract-config/wide.yml',
      run_id: 'wide-run',
    });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ status: 'SUCCEEDED', table_count: 100, succeeded: 100, failed: 0 });
    expect(run.backend.calls).toHaveLength(100);
    const records = await pipeline.then.tableRecords('wide-run');
    expect(Object.keys(records).sort()).toEqual([...names].sort());
    expect(Object.values(records).every((record) => record.status === 'SUCCEEDED')).toBe(true);
    // The payload between states carries a reference to the items, never the items themselves.
    const prepared = stateOutput(run.events, 'Extract Config Manager');
    expect(prepared).toEqual({
      run: expect.objectContaining({ run_id: 'wide-run' }),
      groups: { bucket: pipeline.names.configBucket, key: 'runs/wide-run/groups.json' },
      results: { bucket: pipeline.names.configBucket, prefix: 'runs/wide-run/results' },
      table_count: 100,
      group_count: 1,
    });
    expect(Buffer.byteLength(JSON.stringify(prepared))).toBeLessThan(1024);
  });

  it('refuses to reuse a run id from another execution', async () => {
    const run = await pipeline.when.theRunStarts({
      tables_to_extract: ['sales.orders'],
      run_id: 'all-succeed',
    });

    expect(run).toMatchObject({ status: 'FAILED', error: 'RunAlreadyExistsError' });
    expect((await pipeline.then.runRecord('all-succeed'))!.status).toBe('SUCCEEDED');
  });
});
