// The tracking and task-queue tables that `npm run status` and `npm run cancel` read: a deployed stage's (names
// from serverless.yml and config/<stage>.yml, AWS credentials from the default chain), the running serve
// instance's, or serve mode's data folder read directly while serve is stopped. One DynamoDB connection serves
// both tables (a stopped serve instance's folder can be opened only once at a time). S3 comes with them: a running
// run's tables without a record are in its table list there (functions/lib/runs/run-table-list.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/clients/dynamodb';
import type { TrackingStore } from '../../functions/lib/tracking/tracking-store';
import { CommandError } from '../../cli/command-line';
import { localDynamoDbClient, localS3Client, startDynamoDb, startS3 } from '../stack/emulators';
import type { LocalEndpoints } from '../stack/endpoints-file';
import { deployedStageTable } from '../stack/stage-environment';
import { LOCAL_STAGE } from '../stack/local-stack';
import { findServeInstance } from './serve-client';

export interface OpenTables {
  db: DynamoDBDocumentClient;
  /** The tracking table. */
  store: TrackingStore;
  taskQueueTable: string;
  /** Where the runs' table lists are. */
  s3: S3Client;
  /** Where the tracking table is, for messages. */
  where: string;
  stage?: string;
  region?: string;
  /** The serve instance the tables belong to, when it is running. */
  serve?: LocalEndpoints;
  close(): Promise<void>;
}

/** The stage's tables and its S3 through `client` and `s3`, closed with them (and whatever `closeMore` closes). */
function opened(
  stage: string,
  client: DynamoDBClient,
  s3: S3Client,
  where: (trackingTable: string) => string,
  more: Pick<OpenTables, 'stage' | 'serve'> = {},
  closeMore: () => Promise<unknown> = async () => undefined,
): OpenTables {
  const db = createDocumentClient(client);
  const tracking = deployedStageTable(stage, 'trackingTable');
  return {
    db,
    store: { db, tableName: tracking.tableName },
    taskQueueTable: deployedStageTable(stage, 'taskQueueTable').tableName,
    ...(tracking.region ? { region: tracking.region } : {}),
    s3,
    where: where(tracking.tableName),
    ...more,
    close: async () => {
      client.destroy();
      s3.destroy();
      await closeMore();
    },
  };
}

export async function openDeployedTables(stage: string): Promise<OpenTables> {
  const { region } = deployedStageTable(stage, 'trackingTable');
  // An S3-compatible endpoint named by host (AWS_ENDPOINT_URL_S3) serves buckets by path, as the handlers'
  // client assumes too.
  const s3 = new S3Client({
    ...(region ? { region } : {}),
    forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3),
  });
  const client = new DynamoDBClient(region ? { region } : {});
  return opened(stage, client, s3, (table) => `${table} (stage ${stage})`, { stage });
}

export async function openLocalTables(dataDir: string): Promise<OpenTables> {
  const serve = await findServeInstance(dataDir);
  if (serve)
    return opened(
      LOCAL_STAGE,
      localDynamoDbClient(serve.dynamodb),
      localS3Client(serve.s3),
      (table) => `${table} on the serve instance (${serve.dynamodb})`,
      { serve },
    );
  // Serve mode is stopped: its data folder is read directly (the folder is locked while serve runs).
  const directory = join(dataDir, 'dynamodb');
  if (!existsSync(directory))
    throw new CommandError(`no local runs in ${dataDir}: start serve mode (npm run serve) or pass --stage`);
  const dynamo = await startDynamoDb({ directory });
  const bucket = await startS3({ directory: join(dataDir, 's3') });
  return opened(
    LOCAL_STAGE,
    localDynamoDbClient(dynamo.endpoint),
    localS3Client(bucket.endpoint),
    (table) => `${table} in ${dataDir}`,
    {},
    () => Promise.all([dynamo.close(), bucket.close()]),
  );
}

export function openTables(options: { stage?: string; dataDir: string }): Promise<OpenTables> {
  return options.stage ? openDeployedTables(options.stage) : openLocalTables(options.dataDir);
}
