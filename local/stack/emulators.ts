// The local stand-ins for DynamoDB and S3: real HTTP servers on 127.0.0.1 that the real AWS SDK v3 clients talk to.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { answerDynaliteRequest, createDynalite } from './dynalite-requests';
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
  // dynalite's in-memory store keeps every key and value as a small Buffer. Cut from Node's shared 8 KB pool, a
  // kept slice holds its whole slab alive, with the request buffers cut around it: 3.5 KB more per table of a run
  // (350 MB at 100,000 tables, docs/limits.md). Unpooled, each Buffer holds only its own bytes.
  if (!options.directory) Buffer.poolSize = 0;
  // Tables become ACTIVE at once: the default 500 ms CREATING phase only slows the tests down.
  const { server, store } = createDynalite({
    path: options.directory,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const route = inProcessRoute(
    (operation, body) => answerDynaliteRequest(store, operation, body),
    () => server.listening,
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    inProcess: route,
    close: async () => {
      await route.drain();
      await new Promise<void>((resolve) => server.close(() => resolve()));
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
