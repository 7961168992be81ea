// A tracking table on dynalite, created from resources/tracking-table.yml, fresh for each test so that queries see
// only that test's items: for the stores whose behaviour is DynamoDB's (conditions, batching, indexes).
import { createDocumentClient } from '../../functions/clients/dynamodb';
import type { TrackingStore } from '../../functions/lib/tracking/tracking-store';
import { createTrackingTable } from '../../local/stack/create-resources';
import { localDynamoDbClient, startDynamoDb } from '../../local/stack/emulators';

/** Registers the jest hooks; call the result inside a test for that test's store. */
export function freshTrackingTablePerTest(): () => TrackingStore {
  let dynamo: Awaited<ReturnType<typeof startDynamoDb>> | undefined;
  let client: ReturnType<typeof localDynamoDbClient> | undefined;
  let store: TrackingStore | undefined;
  let tableCount = 0;

  beforeAll(async () => {
    dynamo = await startDynamoDb();
    client = localDynamoDbClient(dynamo.endpoint);
  });

  beforeEach(async () => {
    store = { db: createDocumentClient(client), tableName: `tracking-${++tableCount}` };
    await createTrackingTable(client!, store.tableName);
  });

  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
  });

  return () => store!;
}

/** One tracking table for the whole file, for tests that keep to their own runs; call the result inside a test. */
export function trackingTablePerFile(tableName = 'tracking'): () => TrackingStore {
  let dynamo: Awaited<ReturnType<typeof startDynamoDb>> | undefined;
  let client: ReturnType<typeof localDynamoDbClient> | undefined;
  let store: TrackingStore | undefined;

  beforeAll(async () => {
    dynamo = await startDynamoDb();
    client = localDynamoDbClient(dynamo.endpoint);
    store = { db: createDocumentClient(client), tableName };
    await createTrackingTable(client, tableName);
  });

  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
  });

  return () => store!;
}
