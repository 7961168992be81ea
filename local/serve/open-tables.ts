// The tracking and task-queue tables that `npm run status` and `npm run cancel` read: a deployed stage's (names
// from serverless.yml and config/<stage>.yml, AWS credentials from the default chain), the running serve
// instance's, or serve mode's data folder read directly while serve is stopped. One DynamoDB connection serves
// both tables (a stopped serve instance's folder can be opened only once at a time).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/clients/dynamodb';
import type { TrackingStore } from '../../functions/lib/tracking/tracking-store';
import { CommandError } from '../../cli/command-line';
import { startDynamoDb, localDynamoDbClient } from '../stack/emulators';
import type { LocalEndpoints } from '../stack/endpoints-file';
import { deployedStageTable } from '../stack/stage-environment';
import { LOCAL_STAGE } from '../stack/local-stack';
import { findServeInstance } from './serve-client';

export interface OpenTables {
  db: DynamoDBDocumentClient;
  /** The tracking table. */
  store: TrackingStore;
  taskQueueTable: string;
  /** Where the tracking table is, for messages. */
  where: string;
  stage?: string;
  region?: string;
  /** The serve instance the tables belong to, when it is running. */
  serve?: LocalEndpoints;
  close(): Promise<void>;
}

function tablesOf(stage: string, db: DynamoDBDocumentClient) {
  const tracking = deployedStageTable(stage, 'trackingTable');
  return {
    db,
    store: { db, tableName: tracking.tableName },
    taskQueueTable: deployedStageTable(stage, 'taskQueueTable').tableName,
    ...(tracking.region ? { region: tracking.region } : {}),
  };
}

export async function openDeployedTables(stage: string): Promise<OpenTables> {
  const { region } = deployedStageTable(stage, 'trackingTable');
  const client = new DynamoDBClient(region ? { region } : {});
  const tables = tablesOf(stage, createDocumentClient(client));
  return {
    ...tables,
    stage,
    where: `${tables.store.tableName} (stage ${stage})`,
    close: async () => client.destroy(),
  };
}

export async function openLocalTables(dataDir: string): Promise<OpenTables> {
  const serve = await findServeInstance(dataDir);
  if (serve) {
    const client = localDynamoDbClient(serve.dynamodb);
    const tables = tablesOf(LOCAL_STAGE, createDocumentClient(client));
    return {
      ...tables,
      where: `${tables.store.tableName} on the serve instance (${serve.dynamodb})`,
      serve,
      close: async () => client.destroy(),
    };
  }
  // Serve mode is stopped: its data folder is read directly (the folder is locked while serve runs).
  const directory = join(dataDir, 'dynamodb');
  if (!existsSync(directory))
    throw new CommandError(`no local runs in ${dataDir}: start serve mode (npm run serve) or pass --stage`);
  const dynamo = await startDynamoDb({ directory });
  const client = localDynamoDbClient(dynamo.endpoint);
  const tables = tablesOf(LOCAL_STAGE, createDocumentClient(client));
  return {
    ...tables,
    where: `${tables.store.tableName} in ${dataDir}`,
    close: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}

export function openTables(options: { stage?: string; dataDir: string }): Promise<OpenTables> {
  return options.stage ? openDeployedTables(options.stage) : openLocalTables(options.dataDir);
}
