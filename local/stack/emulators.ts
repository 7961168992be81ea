// The local stand-ins for DynamoDB and S3: real HTTP servers on 127.0.0.1 that the real AWS SDK v3 clients talk to.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { startDynaliteThread } from './dynalite-thread';
import { inProcessRoute, type InProcessRoute } from './in-process-dynamodb';

/** s3rver accepts exactly these credentials; dynalite accepts any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';

/** A DynamoDB client for a local endpoint (dynalite accepts any credentials; these keep one set for both). */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/** An S3 client that s3rver accepts: path-style, its fixed credentials, no streamed checksums (they corrupt). */
export function localS3Client(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string } = LOCAL_CREDENTIALS,
): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * The variables that point the handlers' own AWS clients (built from the environment, as in Lambda) at local
 * endpoints. s3rver corrupts streamed uploads with the SDK's default checksums, hence WHEN_REQUIRED.
 */
export function localAwsEnvironment(endpoints: { dynamodb: string; s3: string }): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
}

export interface Emulator {
  endpoint: string;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  /** Keep data in this folder across restarts; a fresh temporary folder otherwise. */
  directory?: string;
  port?: number;
}

export interface DynamoDbEmulator extends Emulator {
  /** Answers the handlers' DocumentClient from the same store without HTTP (in-process-dynamodb.ts). */
  inProcess: InProcessRoute;
}

export async function startDynamoDb(options: EmulatorOptions = {}): Promise<DynamoDbEmulator> {
  // Tables become ACTIVE at once: the default 500 ms CREATING phase only slows the tests down.
  const dynalite = await startDynaliteThread(
    { path: options.directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 },
    options.port,
  );
  let serving = true;
  const route = inProcessRoute(dynalite.answer, () => serving);
  return {
    endpoint: `http://127.0.0.1:${dynalite.port}`,
    inProcess: route,
    close: async () => {
      await route.drain();
      serving = false;
      await dynalite.close();
    },
  };
}

/** An S3 event notification record, as s3rver emits one for every Put, Post and Copy. */
export interface S3EventRecord {
  eventName: string;
  s3: {
    bucket: { name: string };
    object: { key: string; size?: number; eTag?: string; sequencer?: string };
  };
}

export async function startS3(
  options: EmulatorOptions & { onEvent?: (record: S3EventRecord) => void } = {},
): Promise<Emulator> {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'extract-pipeline-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: options.port ?? 0, silent: true, directory });
  // s3rver is an EventEmitter; its typings leave that out.
  const { onEvent } = options;
  if (onEvent)
    (server as unknown as NodeJS.EventEmitter).on('event', (event: { Records?: S3EventRecord[] }) => {
      for (const record of event.Records ?? []) onEvent(record);
    });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      await server.close();
      if (!options.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}
