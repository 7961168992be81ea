// given/when helpers for running the real state machine definition against real local emulators: dynalite for
// the tracking table and s3rver for the config bucket, reached through the real AWS SDK v3 clients by the real
// handler modules. Only Glue, EMR and ECS (no local implementation) are answered by the scripted job backend.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createDocumentClient } from '../../functions/clients/dynamodb';
import { listRunTables } from '../../functions/lib/tracking/tracking-store';
import { runKey, type RunRecord, type TableRecord } from '../../functions/lib/tracking/tracking-records';
import { PassThrough } from 'node:stream';
import { DataPipelineClient } from '@aws-sdk/client-data-pipeline';
import { createRunnerCredential } from '../../functions/lib/task-runner/runner-credentials';
import { DEFAULT_RUNNER_OPTIONS, ExtractRunner } from '../../runner/extract-runner';
import {
  createConfigBucket,
  createTaskQueueTable,
  createTrackingTable,
} from '../../local/stack/create-resources';
import { startTaskRunnerServer, type TaskRunnerServer } from '../../local/stack/task-runner-server';
import { LocalTaskTokens } from '../../local/runtime/task-token-bridge';
import {
  LOCAL_REGION,
  localAwsEnvironment,
  localDynamoDbClient,
  localS3Client,
  startDynamoDb,
  startS3,
  type Emulator,
} from '../../local/stack/emulators';
import { createJobBackend, type JobBackend, type JobScript } from '../../local/runtime/job-backend';
import {
  listLambdaFunctions,
  loadLambdaHandler,
  type LambdaHandler,
} from '../../local/runtime/lambda-functions';
import { runPipeline, type PipelineRun } from '../../local/runtime/run-pipeline';

export const TRACKING_TABLE = 'extract-pipeline-test-tracking';
export const CONFIG_BUCKET = 'extract-pipeline-test-config';
export const DEFAULT_CONFIG_KEY = 'extract-config/extract-config.yml';
export const TASK_QUEUE_TABLE = 'extract-pipeline-test-task-queue';
export const WORKER_GROUP = 'onprem-db';
/** Polled only by SDK clients in the tests, never by the harness's runner. */
export const SDK_WORKER_GROUP = 'sdk-clients';

/** The stage settings the handlers read, as serverless.yml sets them from config/<stage>.yml. */
export const TEST_STAGE_ENV: Record<string, string> = {
  STAGE: 'test',
  TRACKING_TABLE,
  TASK_QUEUE_TABLE,
  CONFIG_BUCKET,
  DEFAULT_CONFIG_KEY,
  MAX_CONCURRENCY: '4',
  MAX_TABLES_PER_RUN: '1000',
  GLUE_JOB_NAME: 'extract-test',
  GLUE_ALLOWED_JOB_NAMES: 'extract-test,extract-test-large',
  GLUE_NUMBER_OF_WORKERS: '2',
  GLUE_WORKER_TYPE: 'G.1X',
  GLUE_TIMEOUT_MINUTES: '60',
  EMR_APPLICATION_ID: '00fabc123example',
  EMR_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/extract-emr',
  EMR_ENTRY_POINT: 's3://artifacts/extract.py',
  ECS_CLUSTER: 'extract',
  ECS_TASK_DEFINITION: 'extract-task:3',
  ECS_CONTAINER_NAME: 'extract',
  ECS_SUBNETS: 'subnet-0123456789abcdef0',
  ECS_SECURITY_GROUPS: 'sg-0123456789abcdef0',
};

export interface Pipeline {
  /** Handlers by logical id, each overridable by a test (to inject a failure). */
  handlers: Record<string, LambdaHandler>;
  taskRunnerEndpoint: string;
  /** Granted WORKER_GROUP and SDK_WORKER_GROUP, as `runner-credentials create` would issue. */
  runnerCredentials: { accessKeyId: string; secretAccessKey: string };
  given: {
    anExtractConfig(text: string, key?: string): Promise<void>;
    /** A self-hosted task runner (the CLI's runner module) polling the endpoint for WORKER_GROUP. */
    aRunner(): Promise<{ runner: ExtractRunner; stop(): Promise<void> }>;
  };
  when: {
    theRunStarts(
      input: unknown,
      script?: JobScript,
      executionName?: string,
    ): Promise<PipelineRun & { backend: JobBackend }>;
  };
  then: {
    runRecord(runId: string): Promise<RunRecord | undefined>;
    tableRecords(runId: string): Promise<Record<string, TableRecord>>;
  };
  close(): Promise<void>;
}

export async function startPipeline(): Promise<Pipeline> {
  const [dynamo, s3Emulator]: Emulator[] = await Promise.all([startDynamoDb(), startS3()]);
  // The handlers build their clients from the environment, exactly as in Lambda.
  Object.assign(
    process.env,
    TEST_STAGE_ENV,
    localAwsEnvironment({ dynamodb: dynamo!.endpoint, s3: s3Emulator!.endpoint }),
    { POWERTOOLS_LOG_LEVEL: 'ERROR' },
  );

  const dynamodb = localDynamoDbClient(dynamo!.endpoint);
  const db = createDocumentClient(dynamodb);
  const s3 = localS3Client(s3Emulator!.endpoint);
  await createTrackingTable(dynamodb, TRACKING_TABLE);
  await createTaskQueueTable(dynamodb, TASK_QUEUE_TABLE);
  await createConfigBucket(s3, CONFIG_BUCKET);

  // The task-runner endpoint answers the same token bridge the runner states wait on.
  const taskTokens = new LocalTaskTokens();
  const taskRunner: TaskRunnerServer = await startTaskRunnerServer({
    documentClient: db,
    tableName: TASK_QUEUE_TABLE,
    callbacks: taskTokens,
    pollWindowMs: 1_000,
    pollIntervalMs: 25,
  });
  const runnerCredential = await createRunnerCredential([WORKER_GROUP, SDK_WORKER_GROUP], {
    documentClient: db,
    tableName: TASK_QUEUE_TABLE,
    now: Date.now,
  });

  const handlers = Object.fromEntries(
    listLambdaFunctions().map((fn) => [fn.logicalId, loadLambdaHandler(fn)]),
  );
  const store = { db, tableName: TRACKING_TABLE };

  return {
    handlers,
    taskRunnerEndpoint: taskRunner.endpoint,
    runnerCredentials: {
      accessKeyId: runnerCredential.accessKeyId,
      secretAccessKey: runnerCredential.secretAccessKey,
    },
    given: {
      async anExtractConfig(text, key = DEFAULT_CONFIG_KEY) {
        await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: key, Body: text }));
      },
      async aRunner() {
        const client = new DataPipelineClient({
          endpoint: taskRunner.endpoint,
          region: LOCAL_REGION,
          credentials: {
            accessKeyId: runnerCredential.accessKeyId,
            secretAccessKey: runnerCredential.secretAccessKey,
          },
        });
        const runner = new ExtractRunner(client, {
          ...DEFAULT_RUNNER_OPTIONS,
          workerGroup: WORKER_GROUP,
          hostname: 'test-runner',
          taskrunnerId: 'test-runner-1',
          progressIntervalMs: 200,
          logger: { info: () => undefined, warn: () => undefined },
          // The commands' own output would only clutter the test report.
          stdout: new PassThrough(),
        });
        const running = runner.run();
        return {
          runner,
          async stop() {
            runner.stop();
            await running;
            client.destroy();
          },
        };
      },
    },
    when: {
      async theRunStarts(input, script = {}, executionName) {
        const backend = createJobBackend(script);
        const run = await runPipeline({
          input,
          executionName,
          handlers,
          backend,
          taskTokens,
          retryDelayMs: 1,
        });
        return { ...run, backend };
      },
    },
    then: {
      async runRecord(runId) {
        const response = await db.send(
          new GetCommand({ TableName: TRACKING_TABLE, Key: runKey(runId), ConsistentRead: true }),
        );
        return response.Item as RunRecord | undefined;
      },
      async tableRecords(runId) {
        const records = await listRunTables(store, runId);
        return Object.fromEntries(records.map((record) => [record.table, record]));
      },
    },
    async close() {
      dynamodb.destroy();
      s3.destroy();
      await taskRunner.close();
      await Promise.all([dynamo!.close(), s3Emulator!.close()]);
    },
  };
}
