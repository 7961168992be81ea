// Serve mode as a user and their tools see it: endpoints in endpoints.json, a config uploaded with the real AWS
// SDK S3 client starts a run (its runner table run by the bundled runner CLI), a repeated upload event starts
// nothing, `npm start` runs on the serve instance, the official Data Pipeline client finishes a runner task of an
// uploaded config, and the runs survive a restart. Serve itself and the status listing after the restart are child
// processes as a user types them; `npm start` and the other status calls run the same mains in-process (npm start
// following a run on serve as a child process is in serve-commands.test.ts).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DataPipelineClient,
  PollForTaskCommand,
  ReportTaskProgressCommand,
  SetTaskStatusCommand,
  ReportTaskRunnerHeartbeatCommand,
} from '@aws-sdk/client-data-pipeline';
import { createDocumentClient } from '../../functions/clients/dynamodb';
import { listRuns, type RunListing } from '../../local/list-runs';
import { localDynamoDbClient, localS3Client } from '../../local/stack/emulators';
import { readRunRecord } from '../../local/summary';
import type { LocalEndpoints } from '../../local/stack/endpoints-file';
import { listRunTables } from '../../functions/lib/tracking/tracking-store';
import { SAMPLE_CONFIG } from '../../local/commands/samples';
import { START_COMMAND, startCommand } from '../../local/commands/start';
import { STATUS_COMMAND, statusCommand } from '../../local/commands/status';
import { LOCAL_STACK_BOUND_MS, LOCAL_STACK_TEST_TIMEOUT_MS, waitFor } from '../helpers/wait-for';
import {
  runInProcess,
  runLocalScript,
  spawnServe,
  stopServe as stopServeInstance,
  type SummaryJson,
} from './helpers/commands';

jest.setTimeout(LOCAL_STACK_TEST_TIMEOUT_MS);

const dataDir = mkdtempSync(join(tmpdir(), 'extract-pipeline-serve-test-'));
const children: ChildProcess[] = [];

function startServe(): Promise<LocalEndpoints> {
  const { child, ready } = spawnServe(dataDir);
  children.push(child);
  return ready;
}

async function stopServe(): Promise<void> {
  const child = children.pop();
  if (child) await stopServeInstance(child, dataDir);
}

function trackingStore(endpoints: LocalEndpoints) {
  return {
    db: createDocumentClient(localDynamoDbClient(endpoints.dynamodb)),
    tableName: endpoints.trackingTable,
  };
}

async function finishedRuns(endpoints: LocalEndpoints, count: number): Promise<RunListing[]> {
  return waitFor(
    `${count} finished runs`,
    async () => {
      const runs = await listRuns(trackingStore(endpoints), 20);
      return runs.length >= count && runs.every((run) => run.status !== 'RUNNING') ? runs : undefined;
    },
    LOCAL_STACK_BOUND_MS,
    200,
  );
}

function s3Client(endpoints: LocalEndpoints): S3Client {
  return localS3Client(endpoints.s3, endpoints.credentials);
}

afterAll(async () => {
  while (children.length > 0) await stopServe();
});

describe('serve mode', () => {
  let endpoints: LocalEndpoints;

  beforeAll(async () => {
    // The sample's runner table (worker group `local`) is run by the runner serve mode starts itself.
    endpoints = await startServe();
  });

  it('writes its endpoints, with the task-runner endpoint and a runner credential', () => {
    expect(endpoints).toMatchObject({
      bucket: 'extract-pipeline-local-config',
      triggerPrefix: 'extract-config/',
      trackingTable: 'extract-pipeline-local-tracking',
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    expect(endpoints.s3).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.dynamodb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.taskRunner).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.runnerCredentials?.accessKeyId).toMatch(/^AKXR/);
    expect(endpoints.runnerCredentials?.workerGroups).toEqual(['local']);
  });

  it('starts one run for a config uploaded with the AWS SDK, and none for the same event again', async () => {
    // Prepare
    const s3 = s3Client(endpoints);
    const key = `${endpoints.triggerPrefix}nightly.yml`;

    // Act
    await s3.send(
      new PutObjectCommand({
        Bucket: endpoints.bucket,
        Key: key,
        Body: readFileSync(SAMPLE_CONFIG),
      }),
    );
    const [run] = await finishedRuns(endpoints, 1);

    // Assess
    expect(run).toMatchObject({ status: 'SUCCEEDED', trigger: 's3', counts: { tables: 8, succeeded: 8 } });
    const record = await readRunRecord(trackingStore(endpoints), run!.runId);
    expect(record).toMatchObject({ config_key: key });

    // Act: EventBridge delivers at least once; the same object version arrives again.
    const replay = await fetch(`${endpoints.control}/s3-events`, {
      method: 'POST',
      body: JSON.stringify({
        detail: { bucket: { name: endpoints.bucket }, object: { key, 'version-id': record!.config_version } },
      }),
    });

    // Assess
    expect(await replay.json()).toMatchObject({ started: false, execution_name: run!.runId });
    expect(await listRuns(trackingStore(endpoints), 20)).toHaveLength(1);
    s3.destroy();
  });

  it('runs `npm start -- --tables …` on the serve instance and follows it there', async () => {
    // Act
    const result = await runInProcess(START_COMMAND, startCommand, [
      '--json',
      '--data-dir',
      dataDir,
      '--tables',
      'sales.orders,events.clicks',
    ]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/on the serve instance/);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary.tables.map((t) => [t.table, t.status])).toEqual([
      ['events.clicks', 'SUCCEEDED'],
      ['sales.orders', 'SUCCEEDED'],
    ]);
    expect(summary.tables.find((t) => t.table === 'sales.orders')?.retries).toBe(2);
    expect(await listRuns(trackingStore(endpoints), 20)).toHaveLength(2);
  });

  it('lets the official Data Pipeline client finish a runner task of an uploaded config', async () => {
    // Prepare: a worker group of its own, which the local runner key is granted when the config's run starts.
    const s3 = s3Client(endpoints);
    const runner = new DataPipelineClient({
      endpoint: endpoints.taskRunner,
      region: endpoints.region,
      credentials: endpoints.runnerCredentials,
    });
    const config = [
      'tables:',
      '  - name: onprem.orders',
      '    job_type: runner',
      '    worker_group: onprem-db',
      "    command: 'true'",
      '',
    ].join('\n');

    // Act
    await s3.send(
      new PutObjectCommand({
        Bucket: endpoints.bucket,
        Key: `${endpoints.triggerPrefix}onprem.yml`,
        Body: config,
      }),
    );
    // Polls before the grant lands are refused (AccessDeniedException); each poll is bounded by the 2 s window.
    const task = await waitFor(
      'a task for the SDK runner',
      async () => {
        const { taskObject } = await runner.send(
          new PollForTaskCommand({ workerGroup: 'onprem-db', hostname: 'sdk-test' }),
        );
        return taskObject?.taskId ? taskObject : undefined;
      },
      LOCAL_STACK_BOUND_MS,
    );
    await runner.send(new ReportTaskProgressCommand({ taskId: task.taskId }));
    await runner.send(new SetTaskStatusCommand({ taskId: task.taskId, taskStatus: 'FINISHED' }));
    const runs = await finishedRuns(endpoints, 3);

    // Assess
    expect(task.pipelineId).toBe(runs[0]!.runId);
    expect(runs[0]).toMatchObject({
      status: 'SUCCEEDED',
      trigger: 's3',
      counts: { tables: 1, succeeded: 1 },
    });
    const [record] = await listRunTables(trackingStore(endpoints), runs[0]!.runId);
    expect(record).toMatchObject({ table: 'onprem.orders', job_type: 'runner', status: 'SUCCEEDED' });
    const written = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as LocalEndpoints;
    expect(written.runnerCredentials?.workerGroups).toEqual(['local', 'onprem-db']);
    runner.destroy();
    s3.destroy();
  });

  it('lists the runners that sent a heartbeat, per worker group', async () => {
    // Prepare
    const runner = new DataPipelineClient({
      endpoint: endpoints.taskRunner,
      region: endpoints.region,
      credentials: endpoints.runnerCredentials,
    });

    // Act
    const { terminate } = await runner.send(
      new ReportTaskRunnerHeartbeatCommand({
        taskrunnerId: 'db-host-7',
        workerGroup: 'onprem-db',
        hostname: 'db7',
      }),
    );
    const listed = await runInProcess(STATUS_COMMAND, statusCommand, [
      '--runners',
      '--json',
      '--data-dir',
      dataDir,
    ]);
    const inGroup = await runInProcess(STATUS_COMMAND, statusCommand, [
      '--runners',
      '--worker-group',
      'local',
      '--json',
      '--data-dir',
      dataDir,
    ]);

    // Assess
    expect(terminate).toBe(false);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { runners: unknown[] }).runners).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ taskrunnerId: 'db-host-7', workerGroup: 'onprem-db', hostname: 'db7' }),
      ]),
    );
    expect(
      (JSON.parse(inGroup.stdout) as { runners: { workerGroup: string }[] }).runners.every(
        (r) => r.workerGroup === 'local',
      ),
    ).toBe(true);
    runner.destroy();
  });

  it('keeps the runs across a restart', async () => {
    // Act
    await stopServe();
    endpoints = await startServe();
    const result = await runLocalScript('status.ts', ['--json', '--data-dir', dataDir]);

    // Assess
    expect(result.code).toBe(0);
    const { runs } = JSON.parse(result.stdout) as { runs: RunListing[] };
    expect(runs.map((run) => [run.trigger, run.status])).toEqual([
      ['s3', 'SUCCEEDED'],
      ['local', 'SUCCEEDED'],
      ['s3', 'SUCCEEDED'],
    ]);
    const one = await runInProcess(STATUS_COMMAND, statusCommand, [
      '--json',
      '--data-dir',
      dataDir,
      '--run-id',
      runs[2]!.runId,
    ]);
    expect(JSON.parse(one.stdout)).toMatchObject({ runId: runs[2]!.runId, status: 'SUCCEEDED' });
  });
});
