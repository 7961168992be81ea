// Incremental extracts through the real state machine and the real tracking table (dynalite): each watermark table's
// job receives its last watermark and reports a new one (Glue, EMR and ECS to S3 under the run's prefix, runners
// through ReportTaskProgress fields); the watermark moves only when the table SUCCEEDED, and never backwards.
import {
  DataPipelineClient,
  PollForTaskCommand,
  ReportTaskProgressCommand,
  SetTaskStatusCommand,
} from '@aws-sdk/client-data-pipeline';
import { LOCAL_REGION } from '../../local/stack/emulators';
import { argumentOfRequest, type JobScript } from '../../local/runtime/job-backend';
import { parseCommandsFile } from '../../runner/commands-file';
import { SDK_WORKER_GROUP, startPipeline, WORKER_GROUP, type Pipeline } from '../helpers/pipeline-harness';

jest.setTimeout(60_000);

const CONFIG = `
tables:
  - name: sales.invoices
    job_type: glue
    watermark_column: updated_at
  - name: crm.events
    job_type: emr
    watermark_column: event_id
    watermark_type: integer
  - name: logs.batches
    job_type: ecs
    watermark_column: batch_name
    watermark_type: string
  - name: onprem.orders
    job_type: runner
    worker_group: ${WORKER_GROUP}
    command: extract-orders
    watermark_column: order_id
    watermark_type: integer
  - name: onprem.payments
    job_type: runner
    worker_group: ${SDK_WORKER_GROUP}
    command: extract-payments
    watermark_column: paid_at
`;
const CONFIG_KEY = 'extract-config/watermarks.yml';
const SERVICE_TABLES = ['sales.invoices', 'crm.events', 'logs.batches'];

// The runner's command writes the highest order id it "extracted", starting after the one it was given.
const COMMANDS = parseCommandsFile(
  `
commands:
  extract-orders:
    argv: [bash, -c, 'echo $(( \${EXTRACT_LAST_WATERMARK:-0} + 100 )) > "$EXTRACT_WATERMARK_FILE"']
`,
  'runner-commands.yml',
);

let pipeline: Pipeline;
let runner: Awaited<ReturnType<Pipeline['given']['aRunner']>>;

beforeAll(async () => {
  pipeline = await startPipeline();
  await pipeline.given.anExtractConfig(CONFIG, CONFIG_KEY);
  runner = await pipeline.given.aRunner(COMMANDS);
});

afterAll(async () => {
  await runner?.stop();
  await pipeline?.close();
});

function reporting(watermarks: Record<string, string | number>, extra: JobScript['tables'] = {}): JobScript {
  return {
    tables: {
      ...Object.fromEntries(Object.entries(watermarks).map(([table, watermark]) => [table, { watermark }])),
      ...extra,
    },
  };
}

function runOf(runId: string, script: JobScript, event: Record<string, unknown> = {}) {
  return pipeline.when.theRunStarts(
    { config_key: CONFIG_KEY, tables_to_extract: SERVICE_TABLES, run_id: runId, ...event },
    script,
  );
}

type Run = Awaited<ReturnType<typeof runOf>>;

/** A job argument as the table's job received it, whatever its service. */
function argumentOf(run: Run, table: string, name: string): string | undefined {
  const call = run.backend.calls.find((c) => c.table === table && c.outcome !== 'throttled')!;
  return argumentOfRequest(call.jobType, call.request, name);
}

describe('incremental extracts', () => {
  it('moves each watermark only forward, only when its table succeeds, from nothing on a full refresh', async () => {
    // Act: a first run; every job reports a mark.
    const first = await runOf(
      'wm-1',
      reporting({ 'sales.invoices': '2024-06-01T10:00:00+02:00', 'crm.events': 9, 'logs.batches': 'b-0009' }),
    );

    // Assess: nothing to start from; the report location is under the run's prefix; the marks are stored.
    expect(first.output).toMatchObject({ status: 'SUCCEEDED', succeeded: 3 });
    for (const table of SERVICE_TABLES) expect(argumentOf(first, table, 'last_watermark')).toBeUndefined();
    expect(argumentOf(first, 'sales.invoices', 'watermark_column')).toBe('updated_at');
    expect(argumentOf(first, 'crm.events', 'watermark_type')).toBe('integer');
    expect(argumentOf(first, 'logs.batches', 'watermark_report_uri')).toBe(
      `s3://${pipeline.names.configBucket}/runs/wm-1/watermarks/logs.batches.json`,
    );
    const firstRecords = await pipeline.then.tableRecords('wm-1');
    expect(firstRecords['sales.invoices']).toMatchObject({ watermark_to: '2024-06-01T08:00:00.000000Z' });
    expect(firstRecords['sales.invoices']!.watermark_from).toBeUndefined();
    expect(await pipeline.then.watermark('crm.events')).toMatchObject({
      column: 'event_id',
      type: 'integer',
      value: '9',
      run_id: 'wm-1',
    });

    // Act: the second run; EMR's mark is higher as a number (10 > 9) but lower as text; Glue's job fails.
    const second = await runOf(
      'wm-2',
      reporting(
        { 'crm.events': 10, 'logs.batches': 'b-0010' },
        { 'sales.invoices': { watermark: '2024-07-01T00:00:00Z', fail: { cause: 'connection reset' } } },
      ),
    );

    // Assess: each job received its last watermark; the failed table's did not move.
    expect(argumentOf(second, 'sales.invoices', 'last_watermark')).toBe('2024-06-01T08:00:00.000000Z');
    expect(argumentOf(second, 'crm.events', 'last_watermark')).toBe('9');
    expect(argumentOf(second, 'logs.batches', 'last_watermark')).toBe('b-0009');
    const secondRecords = await pipeline.then.tableRecords('wm-2');
    expect(secondRecords['sales.invoices']).toMatchObject({
      status: 'FAILED',
      watermark_from: '2024-06-01T08:00:00.000000Z',
    });
    expect(secondRecords['sales.invoices']!.watermark_to).toBeUndefined();
    expect((await pipeline.then.watermark('sales.invoices'))!.value).toBe('2024-06-01T08:00:00.000000Z');
    expect(secondRecords['crm.events']).toMatchObject({ watermark_from: '9', watermark_to: '10' });
    expect((await pipeline.then.watermark('crm.events'))!.value).toBe('10');

    // Act: a third run reports lower marks, and ECS's job reports none at all.
    await runOf('wm-3', reporting({ 'sales.invoices': '2024-05-01T00:00:00Z', 'crm.events': 2 }));

    // Assess: the tables SUCCEEDED, the watermarks stayed, and each record says why.
    const thirdRecords = await pipeline.then.tableRecords('wm-3');
    for (const table of SERVICE_TABLES) expect(thirdRecords[table]!.status).toBe('SUCCEEDED');
    expect(thirdRecords['crm.events']!.watermark_warning).toBe(
      'watermark not moved: the reported 2 is behind the stored 10, and a watermark never goes back',
    );
    expect(thirdRecords['logs.batches']!.watermark_warning).toBe(
      `watermark not moved: s3://${pipeline.names.configBucket}/runs/wm-3/watermarks/logs.batches.json: no report was written`,
    );
    expect((await pipeline.then.watermark('crm.events'))!.value).toBe('10');
    expect((await pipeline.then.watermark('sales.invoices'))!.value).toBe('2024-06-01T08:00:00.000000Z');
    expect((await pipeline.then.watermark('logs.batches'))!.value).toBe('b-0010');

    // Act: a full refresh.
    const refresh = await runOf(
      'wm-4',
      reporting({ 'sales.invoices': '2024-08-01T00:00:00Z', 'crm.events': 12, 'logs.batches': 'b-0012' }),
      { full_refresh: true },
    );

    // Assess: every job started from nothing and the new marks are stored; the run record says it was a refresh.
    for (const table of SERVICE_TABLES) expect(argumentOf(refresh, table, 'last_watermark')).toBeUndefined();
    expect(await pipeline.then.runRecord('wm-4')).toMatchObject({ full_refresh: true });
    expect((await pipeline.then.watermark('sales.invoices'))!.value).toBe('2024-08-01T00:00:00.000000Z');
    expect((await pipeline.then.watermark('crm.events'))!.value).toBe('12');
  });

  it('keeps the watermark and says why when a report is not JSON, has no watermark, or is too large', async () => {
    // Prepare: the jobs' reports, written where they belong but unusable.
    const before = await Promise.all(SERVICE_TABLES.map((table) => pipeline.then.watermark(table)));
    const reports = 'runs/wm-bad/watermarks';
    await pipeline.given.anObject(`${reports}/sales.invoices.json`, 'max(updated_at) = yesterday');
    await pipeline.given.anObject(`${reports}/crm.events.json`, '{"high": 5}');
    await pipeline.given.anObject(
      `${reports}/logs.batches.json`,
      JSON.stringify({ watermark: 'x'.repeat(5000) }),
    );

    // Act
    const run = await runOf('wm-bad', {});

    // Assess
    expect(run.output).toMatchObject({ status: 'SUCCEEDED', succeeded: 3 });
    const records = await pipeline.then.tableRecords('wm-bad');
    const uri = (table: string) => `s3://${pipeline.names.configBucket}/${reports}/${table}.json`;
    expect(records['sales.invoices']!.watermark_warning).toBe(
      `watermark not moved: ${uri('sales.invoices')}: the report is not JSON (expected {"watermark": "..."})`,
    );
    expect(records['crm.events']!.watermark_warning).toBe(
      `watermark not moved: ${uri('crm.events')}: the report has no "watermark" field (expected {"watermark": "..."})`,
    );
    expect(records['logs.batches']!.watermark_warning).toBe(
      `watermark not moved: ${uri('logs.batches')}: the report is larger than 4096 bytes`,
    );
    expect(await Promise.all(SERVICE_TABLES.map((table) => pipeline.then.watermark(table)))).toEqual(before);
  });

  it('re-runs a failed watermark table from the watermark it failed to move, and moves it then', async () => {
    // Prepare: a run whose Glue table fails.
    const before = (await pipeline.then.watermark('sales.invoices'))!.value;
    await runOf(
      'wm-rerun-1',
      reporting({ 'crm.events': 20, 'logs.batches': 'b-0020' }, { 'sales.invoices': { fail: {} } }),
    );

    // Act
    const rerun = await pipeline.when.theRunStarts(
      { rerun_of: 'wm-rerun-1', run_id: 'wm-rerun-2' },
      reporting({ 'sales.invoices': '2024-09-01T00:00:00Z' }),
    );

    // Assess: only the failed table ran, from the watermark as it was, and moved it.
    expect(rerun.backend.calls.map((call) => call.table)).toEqual(['sales.invoices']);
    expect(argumentOf(rerun, 'sales.invoices', 'last_watermark')).toBe(before);
    expect((await pipeline.then.watermark('sales.invoices'))!.value).toBe('2024-09-01T00:00:00.000000Z');
  });

  it("takes a runner table's watermark from the command's EXTRACT_WATERMARK_FILE, and hands it to the next run", async () => {
    // Act
    await pipeline.when.theRunStarts({
      config_key: CONFIG_KEY,
      tables_to_extract: ['onprem.orders'],
      run_id: 'wm-runner-1',
    });
    await pipeline.when.theRunStarts({
      config_key: CONFIG_KEY,
      tables_to_extract: ['onprem.orders'],
      run_id: 'wm-runner-2',
    });

    // Assess: the first command started from 0 and reported 100; the second received 100 and reported 200.
    expect((await pipeline.then.tableRecords('wm-runner-1'))['onprem.orders']).toMatchObject({
      status: 'SUCCEEDED',
      watermark_to: '100',
    });
    expect((await pipeline.then.tableRecords('wm-runner-2'))['onprem.orders']).toMatchObject({
      status: 'SUCCEEDED',
      watermark_from: '100',
      watermark_to: '200',
    });
    expect(await pipeline.then.watermark('onprem.orders')).toMatchObject({ value: '200', type: 'integer' });
  });

  it('takes the watermark a Data Pipeline client reports in ReportTaskProgress fields', async () => {
    // Prepare
    const client = new DataPipelineClient({
      endpoint: pipeline.taskRunnerEndpoint,
      region: LOCAL_REGION,
      credentials: pipeline.runnerCredentials,
    });
    const running = pipeline.when.theRunStarts({
      config_key: CONFIG_KEY,
      tables_to_extract: ['onprem.payments'],
      run_id: 'wm-sdk-1',
    });

    // Act
    let task: { taskId?: string; fields: { key?: string; stringValue?: string }[] } | undefined;
    for (let polls = 0; !task && polls < 20; polls++) {
      const { taskObject } = await client.send(new PollForTaskCommand({ workerGroup: SDK_WORKER_GROUP }));
      if (taskObject?.taskId)
        task = {
          taskId: taskObject.taskId,
          fields: Object.values(taskObject.objects ?? {})[0]?.fields ?? [],
        };
    }
    await client.send(
      new ReportTaskProgressCommand({
        taskId: task!.taskId,
        fields: [{ key: 'watermark', stringValue: '2024-09-01 12:00:00.123456789' }],
      }),
    );
    await client.send(new SetTaskStatusCommand({ taskId: task!.taskId, taskStatus: 'FINISHED' }));
    const run = await running;

    // Assess: the task carried the watermark fields but no S3 location (runners have no S3 rights).
    const keys = task!.fields.map((field) => field.key);
    expect(keys).toEqual(expect.arrayContaining(['--watermark_column', '--watermark_type']));
    expect(keys).not.toContain('--watermark_report_uri');
    expect(run.output).toMatchObject({ status: 'SUCCEEDED', succeeded: 1 });
    expect((await pipeline.then.tableRecords('wm-sdk-1'))['onprem.payments']).toMatchObject({
      watermark_to: '2024-09-01T12:00:00.123456Z',
    });
    expect((await pipeline.then.watermark('onprem.payments'))!.value).toBe('2024-09-01T12:00:00.123456Z');
    client.destroy();
  });
});
