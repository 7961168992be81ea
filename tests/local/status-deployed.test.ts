// `npm run status -- --stage S` against a deployed stage: the tracking table and the config bucket are read through
// the SDK's default chain, pointed at dynalite and s3rver by AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_S3 as at
// any endpoint. A RUNNING run's tables without a record are named from its table list in S3; an operator who
// cannot read that list still sees the records, the unrecorded tables counted, and why they are not named.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  tableHistoryIndexKey,
  tableKey,
  type TableRecord,
} from '../../functions/lib/tracking/tracking-records';
import { STATUS_COMMAND, statusCommand } from '../../local/commands/status';
import { runInProcess, type SummaryJson } from './helpers/commands';
import { deployedStagePerFile, runningRunRecord } from './helpers/deployed-stage';

const STAGE = 'dev';
const BUCKET = 'extract-pipeline-dev-config';
const STARTED_AT = '2026-11-26T01:00:00.000Z';
const stage = deployedStagePerFile(STAGE, { bucket: BUCKET });

/** A RUNNING run of three tables, one of which has its outcome; the list names all three. */
async function putRunningRun(runId: string, listKey: string): Promise<void> {
  const run = runningRunRecord(runId, STARTED_AT, {
    table_count: 3,
    table_list: { bucket: BUCKET, key: listKey },
  });
  const done: TableRecord = {
    ...tableKey(runId, 'sales.orders'),
    entity: 'table',
    run_id: runId,
    table: 'sales.orders',
    job_type: 'glue',
    status: 'SUCCEEDED',
    ...tableHistoryIndexKey('sales.orders', STARTED_AT, runId),
    run_started_at: STARTED_AT,
    job_run_id: 'jr_1',
    attempts: 1,
  };
  for (const Item of [run, done])
    await stage().db.send(new PutCommand({ TableName: stage().tableName, Item }));
}

const status = (args: string[]) => runInProcess(STATUS_COMMAND, statusCommand, [...args, '--stage', STAGE]);

test("names a running run's unrecorded tables from its table list in the stage's config bucket", async () => {
  const key = 'runs/deployed-1/table-list/execution-of-deployed-1.ndjson';
  await putRunningRun('deployed-1', key);
  const lines = ['sales.orders', 'crm.accounts', 'hr.people'].map((table) =>
    JSON.stringify({ table, job_type: table === 'hr.people' ? 'ecs' : 'glue' }),
  );
  await stage().s3!.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `${lines.join('\n')}\n` }));

  const result = await status(['--run-id', 'deployed-1', '--json']);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  const summary = JSON.parse(result.stdout) as SummaryJson & { counts: Record<string, number> };
  expect(summary.tables.map((t) => [t.table, t.jobType, t.status])).toEqual([
    ['crm.accounts', 'glue', 'PENDING'],
    ['hr.people', 'ecs', 'PENDING'],
    ['sales.orders', 'glue', 'SUCCEEDED'],
  ]);
  expect(summary.counts).toMatchObject({ tables: 3, succeeded: 1, pending: 2 });
  expect(summary).not.toHaveProperty('tableListError');
});

test('a table list it cannot read leaves the records shown, the rest counted, and says why', async () => {
  const key = 'runs/deployed-2/table-list/execution-of-deployed-2.ndjson';
  await putRunningRun('deployed-2', key); // no list object: as an expired or unreadable one

  const human = await status(['--run-id', 'deployed-2']);
  expect(human.code).toBe(0);
  expect(human.stdout).toContain('Run deployed-2: RUNNING');
  expect(human.stdout).toContain('2 not finished');
  expect(human.stdout).toContain('sales.orders');
  expect(human.stdout.replace(/\s+/g, ' ')).toContain(
    `Note: the run's table list (s3://${BUCKET}/${key}) could not be read, so its tables without a record are counted, not named: NoSuchKey`,
  );

  const json = JSON.parse((await status(['--run-id', 'deployed-2', '--json'])).stdout) as SummaryJson & {
    counts: Record<string, number>;
    tableListError?: string;
  };
  expect(json.tables.map((t) => t.table)).toEqual(['sales.orders']);
  expect(json.counts).toMatchObject({ tables: 3, succeeded: 1, pending: 2 });
  expect(json.tableListError).toMatch(/NoSuchKey/);
});
