// The handlers' DynamoDB client of `npm start` and serve mode reaches dynalite without HTTP; these tests hold it to
// what the same client gets over HTTP from the same store: the same items, dynalite's condition checks and
// validation errors by their names, and HTTP again once the route is lifted.
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { HttpRequest } from '@smithy/protocol-http';
import { createDocumentClient } from '../../functions/clients/dynamodb';
import { createTrackingTable } from '../../local/stack/create-resources';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localDynamoDbClient,
  startDynamoDb,
  type DynamoDbEmulator,
} from '../../local/stack/emulators';
import { routeClientThrough } from '../../local/stack/in-process-dynamodb';

const TABLE = 'in-process-test';
let emulator: DynamoDbEmulator;
let overHttp: ReturnType<typeof createDocumentClient>;

beforeAll(async () => {
  emulator = await startDynamoDb();
  const client = localDynamoDbClient(emulator.endpoint);
  overHttp = createDocumentClient(client);
  await createTrackingTable(client, TABLE);
});

afterAll(async () => {
  overHttp.destroy();
  await emulator.close();
});

/** A client like the handlers' own, routed in-process until `restore` is called. */
function givenARoutedClient() {
  const client = new DynamoDBClient({
    endpoint: emulator.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const db = createDocumentClient(client);
  const restore = routeClientThrough(db, emulator.inProcess);
  return { db, restore };
}

const conditionalPut = (pk: string, status: string) =>
  new PutCommand({
    TableName: TABLE,
    Item: { pk, sk: 'TABLE', status },
    ConditionExpression: 'attribute_not_exists(pk)',
  });

describe('the in-process DynamoDB route', () => {
  it('writes into the store that HTTP clients read, and reads what they wrote', async () => {
    // Prepare
    const { db, restore } = givenARoutedClient();
    await overHttp.send(conditionalPut('RUN#from-http', 'PENDING'));

    // Act
    await db.send(conditionalPut('RUN#in-process', 'SUCCEEDED'));
    const { Item: readInProcess } = await db.send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'RUN#from-http', sk: 'TABLE' } }),
    );

    // Assess
    const { Item: readOverHttp } = await overHttp.send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'RUN#in-process', sk: 'TABLE' } }),
    );
    expect(readOverHttp).toEqual({ pk: 'RUN#in-process', sk: 'TABLE', status: 'SUCCEEDED' });
    expect(readInProcess).toEqual({ pk: 'RUN#from-http', sk: 'TABLE', status: 'PENDING' });
    restore();
  });

  it("refuses a failed condition with DynamoDB's error, as over HTTP", async () => {
    // Prepare
    const { db, restore } = givenARoutedClient();
    await db.send(conditionalPut('RUN#twice', 'PENDING'));

    // Act
    const refused = db.send(conditionalPut('RUN#twice', 'SUCCEEDED'));

    // Assess
    await expect(refused).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await expect(overHttp.send(conditionalPut('RUN#twice', 'SUCCEEDED'))).rejects.toBeInstanceOf(
      ConditionalCheckFailedException,
    );
    restore();
  });

  it('answers a request dynalite finds invalid with its ValidationException, naming what is wrong', async () => {
    // Prepare
    const { db, restore } = givenARoutedClient();

    // Act
    const invalid = db.send(new PutCommand({ TableName: TABLE, Item: { pk: 'RUN#no-sort-key' } }));

    // Assess
    await expect(invalid).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/key/i),
    });
    restore();
  });

  it('goes over HTTP again once the route is lifted', async () => {
    // Prepare
    const { db, restore } = givenARoutedClient();
    const routed = db.config.requestHandler;

    // Act
    restore();

    // Assess
    expect(db.config.requestHandler).not.toBe(routed);
    await db.send(conditionalPut('RUN#after-restore', 'PENDING'));
    const { Item } = await overHttp.send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'RUN#after-restore', sk: 'TABLE' } }),
    );
    expect(Item).toMatchObject({ status: 'PENDING' });
  });

  it('refuses requests once the emulator is closed, as its HTTP endpoint does', async () => {
    // Prepare
    const closing = await startDynamoDb();
    const client = new DynamoDBClient({
      endpoint: closing.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    const db = createDocumentClient(client);
    routeClientThrough(db, closing.inProcess);

    // Act
    await closing.close();
    const refused = db.send(conditionalPut('RUN#after-close', 'PENDING'));

    // Assess
    await expect(refused).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('answers the requests under way when the emulator closes, before its store closes', async () => {
    // Prepare: requests handed to dynalite (as the SDK hands them, signed) whose writes are not done yet
    const closing = await startDynamoDb();
    await createTrackingTable(localDynamoDbClient(closing.endpoint), TABLE);
    const putItem = (pk: string) =>
      new HttpRequest({
        method: 'POST',
        hostname: '127.0.0.1',
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.PutItem',
          'x-amz-date': '20261126T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=S3RVER/20261126/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: JSON.stringify({ TableName: TABLE, Item: { pk: { S: pk }, sk: { S: 'TABLE' } } }),
      });
    const underWay = Array.from({ length: 20 }, (_, i) =>
      closing.inProcess.handle(putItem(`RUN#closing-${i}`)),
    );

    // Act
    await closing.close();

    // Assess
    const answers = await Promise.all(underWay);
    expect(answers.map(({ response }) => response.statusCode)).toEqual(Array(20).fill(200));
  });
});
