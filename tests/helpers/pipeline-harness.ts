// given/when helpers for running the real state machine definition against real local emulators: dynalite for
// the tracking table and s3rver for the config bucket, reached through the real AWS SDK v3 clients by the real
// handler modules. Only Glue, EMR and ECS (no local implementation) are answered by the scripted job backend.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createDocumentClient } from '../../functions/clients/dynamodb';
import { listRunTables } from '../../functions/lib/tracking-store';
import { runKey, type RunRecord, type TableRecord } from '../../functions/lib/tracking-records';
import { createConfigBucket, createTrackingTable } from '../../local/create-resources';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamoDb,
  startS3,
  type Emulator,
} from '../../local/emulators';
import { createJobBackend, type JobBackend, type JobScript } from '../../local/job-backend';
import { listLambdaFunctions, loadLambdaHandler, type LambdaHandler } from '../../local/lambda-functions';
import { runPipeline, type PipelineRun } from '../../local/run-pipeline';

export const TRACKING_TABLE = 'extract-pipeline-test-tracking';
export const CONFIG_BUCKET = 'extract-pipeline-test-config';
export const DEFAULT_CONFIG_KEY = 'extract-config/extract-config.yml';

/** The stage settings the handlers read, as serverless.yml sets them from config/<stage>.yml. */
export const TEST_STAGE_ENV: Record<string, string> = {
  STAGE: 'test',
  TRACKING_TABLE,
  CONFIG_BUCKET,
  DEFAULT_CONFIG_KEY,
  MAX_CONCURRENCY: '4',
  MAX_TABLES_PER_RUN: '50',
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
  given: {
    anExtractConfig(text: string, key?: string): Promise<void>;
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
  Object.assign(process.env, TEST_STAGE_ENV, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo!.endpoint,
    AWS_ENDPOINT_URL_S3: s3Emulator!.endpoint,
    // s3rver corrupts streamed uploads with the SDK's default checksums.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });

  const dynamodb = new DynamoDBClient({
    endpoint: dynamo!.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const db = createDocumentClient(dynamodb);
  const s3 = new S3Client({
    endpoint: s3Emulator!.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await createTrackingTable(dynamodb, TRACKING_TABLE);
  await createConfigBucket(s3, CONFIG_BUCKET);

  const handlers = Object.fromEntries(
    listLambdaFunctions().map((fn) => [fn.logicalId, loadLambdaHandler(fn)]),
  );
  const store = { db, tableName: TRACKING_TABLE };

  return {
    handlers,
    given: {
      async anExtractConfig(text, key = DEFAULT_CONFIG_KEY) {
        await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: key, Body: text }));
      },
    },
    when: {
      async theRunStarts(input, script = {}, executionName) {
        const backend = createJobBackend(script);
        const run = await runPipeline({ input, executionName, handlers, backend, retryDelayMs: 1 });
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
      await Promise.all([dynamo!.close(), s3Emulator!.close()]);
    },
  };
}
