// A deployed stage's tracking table (and config bucket) on the local emulators, reached as the operator commands
// reach AWS with `--stage`: through the SDK's default chain, pointed at dynalite and s3rver by
// AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_S3 as at any endpoint.
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../../functions/clients/dynamodb';
import { runKey, runStatusIndexKey, type RunRecord } from '../../../functions/lib/tracking/tracking-records';
import { createConfigBucket, createTrackingTable } from '../../../local/stack/create-resources';
import {
  LOCAL_CREDENTIALS,
  localDynamoDbClient,
  localS3Client,
  startDynamoDb,
  startS3,
  type Emulator,
} from '../../../local/stack/emulators';
import { deployedStageTable } from '../../../local/stack/stage-environment';

export interface DeployedStage {
  db: DynamoDBDocumentClient;
  tableName: string;
  /** The config bucket's S3, when one was asked for. */
  s3?: S3Client;
}

/** Registers the jest hooks for one file; call the result inside a test. `bucket`: a config bucket on s3rver too. */
export function deployedStagePerFile(stage: string, options: { bucket?: string } = {}): () => DeployedStage {
  const tableName = deployedStageTable(stage, 'trackingTable').tableName;
  const savedEnv = { ...process.env };
  const emulators: Emulator[] = [];
  let opened: DeployedStage | undefined;
  let close = () => {};

  beforeAll(async () => {
    const dynamo = await startDynamoDb();
    emulators.push(dynamo);
    const client = localDynamoDbClient(dynamo.endpoint);
    await createTrackingTable(client, tableName);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });
    opened = { db: createDocumentClient(client), tableName };
    close = () => client.destroy();
    if (options.bucket) {
      const bucket = await startS3();
      emulators.push(bucket);
      const s3 = localS3Client(bucket.endpoint);
      await createConfigBucket(s3, options.bucket);
      // By host name, as an S3-compatible endpoint usually is: buckets must then be addressed by path.
      process.env.AWS_ENDPOINT_URL_S3 = bucket.endpoint.replace('127.0.0.1', 'localhost');
      opened.s3 = s3;
      close = () => {
        client.destroy();
        s3.destroy();
      };
    }
  });

  afterAll(async () => {
    process.env = savedEnv;
    close();
    await Promise.all(emulators.map((emulator) => emulator.close()));
  });

  return () => opened!;
}

/** A RUNNING run record as the config manager writes it. */
export function runningRunRecord(
  runId: string,
  startedAt: string,
  more: Partial<RunRecord> & Pick<RunRecord, 'table_count'>,
): RunRecord {
  return {
    ...runKey(runId),
    entity: 'run',
    run_id: runId,
    status: 'RUNNING',
    ...runStatusIndexKey('RUNNING', startedAt, runId),
    trigger: 'manual',
    execution_name: `execution-of-${runId}`,
    started_at: startedAt,
    ...more,
  };
}
