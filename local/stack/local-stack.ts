// The local stage on this machine: DynamoDB (dynalite) and S3 (s3rver) on 127.0.0.1, the tracking table and
// config bucket created from resources/, the handlers' environment computed from serverless.yml and
// config/local.yml, and the real handler modules loaded against it. `npm start`, serve mode, the pipeline tests
// and the bench all start here.
import '../polyfills';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, documentClient } from '../../functions/clients/dynamodb';
import type { ObjectCreatedDetail } from '../../functions/lib/runs/upload-trigger';
import type { TrackingStore } from '../../functions/lib/tracking/tracking-store';
import { createConfigBucket, createTrackingTable } from './create-resources';
import {
  localAwsEnvironment,
  localDynamoDbClient,
  localS3Client,
  startDynamoDb,
  startS3,
  type DynamoDbEmulator,
  type Emulator,
  type S3EventRecord,
} from './emulators';
import { routeClientThrough } from './in-process-dynamodb';
import { listLambdaFunctions, loadLambdaHandler, type LambdaHandler } from '../runtime/lambda-functions';
import { readStageNames, type StageNames, type StageSettings } from './stage-environment';

export const LOCAL_STAGE = 'local';

export interface LocalStackOptions {
  /** Keep DynamoDB and S3 data here across restarts (serve mode); otherwise DynamoDB in memory, S3 in a temp folder. */
  dataDir?: string;
  /** Laid over config/local.yml before the names and environment are derived (the pipeline tests' own jobs). */
  stageSettings?: StageSettings;
  ports?: { dynamodb?: number; s3?: number };
  /** Called for every object written to S3 (serve mode's upload trigger). */
  onObjectCreated?: (detail: ObjectCreatedDetail) => void;
  /** Keep the stage's handler log level (DEBUG) instead of errors only. */
  verbose?: boolean;
  /**
   * The handlers' DynamoDB client calls dynalite in this process instead of over HTTP (in-process-dynamodb.ts):
   * `npm start` and serve mode. Every other client, and the pipeline tests' handlers, use HTTP.
   */
  inProcessDynamoDb?: boolean;
}

export interface LocalStack {
  names: StageNames;
  endpoints: { dynamodb: string; s3: string };
  dynamodb: DynamoDBClient;
  db: DynamoDBDocumentClient;
  s3: S3Client;
  store: TrackingStore;
  /** Handler per function logical id, as runPipeline takes them. */
  handlers: Record<string, LambdaHandler>;
  close(): Promise<void>;
}

/**
 * Serve mode's upload trigger input: the EventBridge "Object Created" detail for an s3rver event record. s3rver
 * keeps no versions, so each upload gets a stand-in version id from its S3 sequencer (unique per write, like a
 * version id in the versioned deployed bucket): a new upload of the same key starts a new run, while a repeated
 * delivery of the same event does not.
 */
export function objectCreatedDetail(record: S3EventRecord): ObjectCreatedDetail {
  const { bucket, object } = record.s3;
  return {
    bucket: { name: bucket.name },
    object: {
      key: object.key,
      ...(object.sequencer ? { 'version-id': `local-${object.sequencer}` } : {}),
      ...(object.eTag ? { etag: object.eTag } : {}),
      ...(object.size !== undefined ? { size: object.size } : {}),
    },
  };
}

/** The Object Created events among s3rver's, as serve mode's upload trigger takes them. */
const s3EventsTo =
  (onObjectCreated: (detail: ObjectCreatedDetail) => void) =>
  (record: S3EventRecord): void => {
    if (record.eventName.startsWith('ObjectCreated:')) onObjectCreated(objectCreatedDetail(record));
  };

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const names = readStageNames(LOCAL_STAGE, options.stageSettings);
  const folder = (part: string) => {
    if (!options.dataDir) return undefined;
    const path = join(options.dataDir, part);
    mkdirSync(path, { recursive: true });
    return path;
  };

  const emulators: Emulator[] = [];
  const closeEmulators = async () => {
    await Promise.all(emulators.map((emulator) => emulator.close()));
  };
  // dynalite starts on its own thread (dynalite-thread.ts) while s3rver starts on this one.
  const started = await Promise.allSettled([
    startDynamoDb({ directory: folder('dynamodb'), port: options.ports?.dynamodb }),
    startS3({
      directory: folder('s3'),
      port: options.ports?.s3,
      ...(options.onObjectCreated ? { onEvent: s3EventsTo(options.onObjectCreated) } : {}),
    }),
  ]);
  for (const result of started) if (result.status === 'fulfilled') emulators.push(result.value);
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await closeEmulators();
    throw failed.reason;
  }
  const [dynamoEmulator, s3Emulator] = emulators as [DynamoDbEmulator, Emulator];
  const endpoints = { dynamodb: dynamoEmulator.endpoint, s3: s3Emulator.endpoint };

  // The handlers build their clients from the environment at load time, exactly as in Lambda.
  Object.assign(process.env, names.environment, localAwsEnvironment(endpoints), {
    // Info and debug logs go to stdout, which belongs to the summary (and to --json).
    ...(options.verbose ? {} : { POWERTOOLS_LOG_LEVEL: 'ERROR' }),
    // No SNS here: Complete Extract Run publishes nothing (the pipeline tests stub SNS and set the topic back).
    ALARM_TOPIC_ARN: '',
    // Metrics are embedded-metric-format lines on stdout, which belongs to the summary here.
    POWERTOOLS_METRICS_DISABLED: 'true',
  });

  const dynamodb = localDynamoDbClient(endpoints.dynamodb);
  const db = createDocumentClient(dynamodb);
  const s3 = localS3Client(endpoints.s3);
  await createTrackingTable(dynamodb, names.trackingTable);
  await createConfigBucket(s3, names.configBucket);

  const handlers = Object.fromEntries(
    listLambdaFunctions().map((fn) => [fn.logicalId, loadLambdaHandler(fn)]),
  );
  const restoreHandlersClient = options.inProcessDynamoDb
    ? routeClientThrough(documentClient, dynamoEmulator.inProcess)
    : () => undefined;
  return {
    names,
    endpoints,
    dynamodb,
    db,
    s3,
    store: { db, tableName: names.trackingTable },
    handlers,
    async close() {
      restoreHandlersClient();
      dynamodb.destroy();
      s3.destroy();
      await closeEmulators();
    },
  };
}
