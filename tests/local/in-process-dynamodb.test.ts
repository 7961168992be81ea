// The handlers' DynamoDB client of `npm start` and serve mode reaches dynalite without the wire; these tests hold
// it to what the same client gets over HTTP from the same store. Every kind of command the handlers send (and the
// options they send it with) runs twice, on two tables of the tracking table's schema holding the same items:
// once over HTTP, once in-process. Outputs, and errors by class, name, message, fault, metadata and fields, must
// be the same, but for the request id.
import {
  ConditionalCheckFailedException,
  DeleteTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  NumberValue,
  paginateQuery,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
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

const HTTP_TABLE = 'in-process-test-http';
const ROUTED_TABLE = 'in-process-test-routed';
const TABLE = 'in-process-test';
const DROPPED_TABLE = 'in-process-test-dropped';
let emulator: DynamoDbEmulator;
let overHttp: DynamoDBDocumentClient;
let routed: DynamoDBDocumentClient;
let restoreRouted: () => void;

/** A document client like the handlers' own (functions/clients/dynamodb.ts) for an emulator's HTTP endpoint. */
const handlersLikeClient = (endpoint: string, maxAttempts?: number) =>
  createDocumentClient(
    new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts }),
  );

beforeAll(async () => {
  emulator = await startDynamoDb();
  const client = localDynamoDbClient(emulator.endpoint);
  await Promise.all([HTTP_TABLE, ROUTED_TABLE, TABLE].map((name) => createTrackingTable(client, name)));
  overHttp = createDocumentClient(client);
  routed = handlersLikeClient(emulator.endpoint);
  restoreRouted = routeClientThrough(routed, emulator.inProcess);
});

afterAll(async () => {
  restoreRouted();
  overHttp.destroy();
  routed.destroy();
  await emulator.close();
});

type AnyCommand = PutCommand | GetCommand | UpdateCommand | DeleteCommand | QueryCommand | BatchGetCommand;

/** An answer as the caller sees it: the output, or the error's class, name, message and fields. */
async function answerOf(client: DynamoDBDocumentClient, command: AnyCommand) {
  const scrub = (metadata: unknown) => ({
    ...(metadata as object),
    requestId: expect.any(String) as unknown,
  });
  try {
    const output = (await client.send(command as never)) as { $metadata: unknown };
    return { output: { ...output, $metadata: scrub(output.$metadata) } };
  } catch (error) {
    const { name, message, $metadata, ...fields } = error as Error & { $metadata: unknown };
    return {
      error: { class: error?.constructor?.name, name, message, $metadata: scrub($metadata), ...fields },
    };
  }
}

/** `value` with the routed table's name in its strings and keys changed to the HTTP table's. */
function namingTheHttpTable(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll(ROUTED_TABLE, HTTP_TABLE);
  if (Array.isArray(value)) return value.map(namingTheHttpTable);
  if (value instanceof Set) return new Set([...value].map(namingTheHttpTable));
  if (value && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [namingTheHttpTable(key), namingTheHttpTable(inner)]),
    );
  return value;
}

/** Sends the command built for each table, over HTTP and in-process; the routed answer names the HTTP table. */
async function bothWays(command: (table: string) => AnyCommand) {
  const http = await answerOf(overHttp, command(HTTP_TABLE));
  const inProcess = namingTheHttpTable(await answerOf(routed, command(ROUTED_TABLE)));
  return { http, inProcess };
}

const runItem = (pk: string, extra: Record<string, unknown> = {}) => ({
  pk,
  sk: 'TABLE#sales.orders',
  status: 'PENDING',
  attempts: 1,
  gsi1pk: `TABLE#${pk}`,
  gsi1sk: '2026-11-26T00:00:00Z',
  ...extra,
});

describe('the in-process DynamoDB route answers as dynalite over HTTP', () => {
  beforeAll(async () => {
    // The same items in both tables, written the same way (over HTTP), for the reads and queries below.
    for (const table of [HTTP_TABLE, ROUTED_TABLE])
      for (let i = 0; i < 7; i++)
        await overHttp.send(
          new PutCommand({
            TableName: table,
            Item: runItem('RUN#q', { sk: `TABLE#t${i}`, gsi1pk: 'BY#q', gsi1sk: `T${i}`, size: i }),
          }),
        );
  });

  const cases: [string, (table: string) => AnyCommand][] = [
    [
      'a conditional put that succeeds (sets, binary, nested values, undefined left out)',
      (table) =>
        new PutCommand({
          TableName: table,
          Item: runItem('RUN#put', {
            tags: new Set(['a', 'b']),
            sizes: new Set([1, 2]),
            blob: Uint8Array.from([0, 1, 254, 255]),
            nested: { list: [1, 'two', null, true], map: { empty: '' } },
            gone: undefined,
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
    ],
    [
      'a conditional put that fails, returning the old item',
      (table) =>
        new PutCommand({
          TableName: table,
          Item: runItem('RUN#put'),
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
    ],
    [
      'a consistent get of an item with binary and sets, projected',
      (table) =>
        new GetCommand({
          TableName: table,
          Key: { pk: 'RUN#put', sk: 'TABLE#sales.orders' },
          ConsistentRead: true,
          ProjectionExpression: '#status, blob, tags, sizes, nested',
          ExpressionAttributeNames: { '#status': 'status' },
        }),
    ],
    [
      'a get of a missing item',
      (table) =>
        new GetCommand({ TableName: table, Key: { pk: 'RUN#none', sk: 'TABLE#x' }, ConsistentRead: true }),
    ],
    [
      'an update returning ALL_NEW (SET, if_not_exists, list_append, ADD of a NumberValue)',
      (table) =>
        new UpdateCommand({
          TableName: table,
          Key: { pk: 'RUN#put', sk: 'TABLE#sales.orders' },
          UpdateExpression:
            'SET #status = :s, started = if_not_exists(started, :now), history = list_append(if_not_exists(history, :empty), :h) ADD attempts :one',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':s': 'RUNNING',
            ':pending': 'PENDING',
            ':now': '2026-11-26T01:00:00Z',
            ':empty': [],
            ':h': ['RUNNING'],
            ':one': NumberValue.from('1'),
          },
          ReturnValues: 'ALL_NEW',
        }),
    ],
    [
      'an update returning UPDATED_NEW, removing an attribute',
      (table) =>
        new UpdateCommand({
          TableName: table,
          Key: { pk: 'RUN#put', sk: 'TABLE#sales.orders' },
          UpdateExpression: 'SET ended = :t REMOVE blob',
          ExpressionAttributeValues: { ':t': '2026-11-26T02:00:00Z' },
          ReturnValues: 'UPDATED_NEW',
        }),
    ],
    [
      'an update whose condition fails',
      (table) =>
        new UpdateCommand({
          TableName: table,
          Key: { pk: 'RUN#put', sk: 'TABLE#sales.orders' },
          UpdateExpression: 'SET #status = :s',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':s': 'SUCCEEDED', ':pending': 'PENDING' },
        }),
    ],
    [
      'a conditional delete that fails',
      (table) =>
        new DeleteCommand({
          TableName: table,
          Key: { pk: 'RUN#put', sk: 'TABLE#sales.orders' },
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':me': 'someone-else' },
        }),
    ],
    [
      'a conditional delete returning the old item',
      (table) =>
        new DeleteCommand({
          TableName: table,
          Key: { pk: 'RUN#put', sk: 'TABLE#sales.orders' },
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
    ],
    [
      'a query of a key and sort-key prefix, one page of a limit, backwards',
      (table) =>
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': 'RUN#q', ':prefix': 'TABLE#' },
          Limit: 3,
          ScanIndexForward: false,
          ConsistentRead: true,
        }),
    ],
    [
      'a query from an exclusive start key with a filter and a projection',
      (table) =>
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: 'size > :two',
          ProjectionExpression: 'sk, #size',
          ExpressionAttributeNames: { '#size': 'size' },
          ExpressionAttributeValues: { ':pk': 'RUN#q', ':two': 2 },
          ExclusiveStartKey: { pk: 'RUN#q', sk: 'TABLE#t1' },
        }),
    ],
    [
      'a count on a global secondary index',
      (table) =>
        new QueryCommand({
          TableName: table,
          IndexName: 'by-table',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
          ExpressionAttributeValues: { ':pk': 'BY#q', ':before': 'T5' },
          Select: 'COUNT',
        }),
    ],
    [
      'a consistent read on a global secondary index (refused)',
      (table) =>
        new QueryCommand({
          TableName: table,
          IndexName: 'by-table',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': 'BY#q' },
          ConsistentRead: true,
        }),
    ],
    [
      'a batch get of a found and a missing key, projected',
      (table) =>
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              // One found: dynalite answers several in the order its reads end, as DynamoDB promises no order.
              Keys: [
                { pk: 'RUN#q', sk: 'TABLE#t6' },
                { pk: 'RUN#q', sk: 'TABLE#none' },
              ],
              ProjectionExpression: 'sk, #size',
              ExpressionAttributeNames: { '#size': 'size' },
              ConsistentRead: true,
            },
          },
        }),
    ],
    [
      'an item without its sort key',
      (table) => new PutCommand({ TableName: table, Item: { pk: 'RUN#no-sort-key' } }),
    ],
    [
      'an update expression that does not parse',
      (table) =>
        new UpdateCommand({
          TableName: table,
          Key: { pk: 'RUN#put', sk: 'TABLE#sales.orders' },
          UpdateExpression: 'SET = :s',
          ExpressionAttributeValues: { ':s': 'x' },
        }),
    ],
    [
      'an expression attribute value left unused',
      (table) =>
        new GetCommand({
          TableName: table,
          Key: { pk: 'RUN#q', sk: 'TABLE#t0' },
          ProjectionExpression: 'sk',
          ExpressionAttributeNames: { '#unused': 'status' },
        }),
    ],
    [
      'a table that does not exist',
      (table) => new GetCommand({ TableName: `${table}-missing`, Key: { pk: 'RUN#q', sk: 'TABLE#t0' } }),
    ],
  ];

  it.each(cases)('%s', async (_, command) => {
    // Act
    const { http, inProcess } = await bothWays(command);

    // Assess
    expect(inProcess).toEqual(http);
  });

  it('answers repeated writes with empty answers as the first time, each with its own request id', async () => {
    // Prepare: writes whose answer is empty (`{}`), then one that returns the old item
    const put = (table: string, i: number) =>
      new PutCommand({
        TableName: table,
        Item: runItem(`RUN#empty-${i}`),
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    const remove = (table: string, i: number) =>
      new DeleteCommand({ TableName: table, Key: { pk: `RUN#empty-${i}`, sk: 'TABLE#sales.orders' } });

    // Act
    const answers = [];
    for (const i of [1, 2, 3]) answers.push(await bothWays((table) => put(table, i)));
    for (const i of [1, 2]) answers.push(await bothWays((table) => remove(table, i)));
    answers.push(
      await bothWays(
        (table) =>
          new DeleteCommand({
            TableName: table,
            Key: { pk: 'RUN#empty-3', sk: 'TABLE#sales.orders' },
            ReturnValues: 'ALL_OLD',
          }),
      ),
    );

    // Assess
    for (const { http, inProcess } of answers) expect(inProcess).toEqual(http);
    expect(answers[5]!.http).toMatchObject({ output: { Attributes: { pk: 'RUN#empty-3' } } });
    const ids = await Promise.all(
      [4, 5].map(async (i) => (await routed.send(put(ROUTED_TABLE, i))).$metadata.requestId),
    );
    expect(ids[0]).not.toEqual(ids[1]);
  });

  it('answers repeated expressions as the first time (the parsed expressions are kept in-process)', async () => {
    // Prepare: the same update three times (its SET resolves into the parsed expression), a name unused in one
    const count = (table: string, unused?: boolean) =>
      new UpdateCommand({
        TableName: table,
        Key: { pk: 'RUN#repeat', sk: 'TABLE#sales.orders' },
        UpdateExpression:
          'SET #status = :s, history = list_append(if_not_exists(history, :empty), :h) ADD tries :one',
        ConditionExpression: 'attribute_not_exists(#status) OR #status <> :done',
        ExpressionAttributeNames: { '#status': 'status', ...(unused ? { '#unused': 'x' } : {}) },
        ExpressionAttributeValues: {
          ':s': 'RUNNING',
          ':done': 'SUCCEEDED',
          ':empty': [],
          ':h': ['RUNNING'],
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      });

    // Act
    const answers = [];
    for (const unused of [false, false, true, false])
      answers.push(await bothWays((table) => count(table, unused)));

    // Assess
    for (const { http, inProcess } of answers) expect(inProcess).toEqual(http);
    expect(answers[1]!.http).toMatchObject({
      output: { Attributes: { tries: 2, history: ['RUNNING', 'RUNNING'] } },
    });
    expect(answers[2]!.http).toMatchObject({ error: { name: 'ValidationException' } });
  });

  it("raises the client's ConditionalCheckFailedException class, which isConditionFailure matches", async () => {
    // Act
    const refused = routed.send(
      new PutCommand({
        TableName: ROUTED_TABLE,
        Item: runItem('RUN#q', { sk: 'TABLE#t0' }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );

    // Assess
    await expect(refused).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it("pages a query with lib-dynamodb's paginator as over HTTP", async () => {
    // Act
    const pages = async (client: DynamoDBDocumentClient, table: string) => {
      const keys: unknown[] = [];
      const input = {
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'RUN#q' },
      };
      for await (const page of paginateQuery({ client, pageSize: 2 }, input)) keys.push(page.Items);
      return keys;
    };

    // Assess
    const inProcess = await pages(routed, ROUTED_TABLE);
    expect(inProcess).toHaveLength(4);
    expect(inProcess).toEqual(await pages(overHttp, HTTP_TABLE));
  });
});

describe('the in-process DynamoDB route', () => {
  const conditionalPut = (pk: string, status: string) =>
    new PutCommand({
      TableName: TABLE,
      Item: { pk, sk: 'TABLE', status },
      ConditionExpression: 'attribute_not_exists(pk)',
    });

  it('writes into the store that HTTP clients read, and reads what they wrote', async () => {
    // Prepare
    await overHttp.send(conditionalPut('RUN#from-http', 'PENDING'));

    // Act
    await routed.send(conditionalPut('RUN#in-process', 'SUCCEEDED'));
    const { Item: readInProcess } = await routed.send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'RUN#from-http', sk: 'TABLE' } }),
    );

    // Assess
    const { Item: readOverHttp } = await overHttp.send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'RUN#in-process', sk: 'TABLE' } }),
    );
    expect(readOverHttp).toEqual({ pk: 'RUN#in-process', sk: 'TABLE', status: 'SUCCEEDED' });
    expect(readInProcess).toEqual({ pk: 'RUN#from-http', sk: 'TABLE', status: 'PENDING' });
  });

  it('sees at once a table deleted over HTTP (table descriptions are kept between table writes)', async () => {
    // Prepare: a table the route has written to, so its description is kept
    const client = localDynamoDbClient(emulator.endpoint);
    await createTrackingTable(client, DROPPED_TABLE);
    const put = () => new PutCommand({ TableName: DROPPED_TABLE, Item: { pk: 'RUN#dropped', sk: 'TABLE' } });
    await routed.send(put());

    // Act
    await client.send(new DeleteTableCommand({ TableName: DROPPED_TABLE }));
    const inProcess = await answerOf(routed, put());

    // Assess
    expect(inProcess).toMatchObject({ error: { name: 'ResourceNotFoundException' } });
    expect(inProcess).toEqual(await answerOf(overHttp, put()));
  });

  it('goes over HTTP again once the route is lifted', async () => {
    // Prepare
    const db = handlersLikeClient(emulator.endpoint);
    const restore = routeClientThrough(db, emulator.inProcess);
    const routedSend = db.send;

    // Act
    restore();

    // Assess
    expect(db.send).not.toBe(routedSend);
    const { $metadata } = await db.send(conditionalPut('RUN#after-restore', 'PENDING'));
    expect($metadata.requestId).not.toMatch(/^LOCAL/);
    const { Item } = await overHttp.send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'RUN#after-restore', sk: 'TABLE' } }),
    );
    expect(Item).toMatchObject({ status: 'PENDING' });
    db.destroy();
  });

  it('refuses requests once the emulator is closed, as its HTTP endpoint does', async () => {
    // Prepare
    const closing = await startDynamoDb();
    const db = handlersLikeClient(closing.endpoint, 1);
    routeClientThrough(db, closing.inProcess);

    // Act
    await closing.close();
    const refused = db.send(conditionalPut('RUN#after-close', 'PENDING'));

    // Assess
    await expect(refused).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('answers the requests under way when the emulator closes, before its store closes', async () => {
    // Prepare: requests handed to dynalite whose writes are not done yet
    const closing = await startDynamoDb();
    await createTrackingTable(localDynamoDbClient(closing.endpoint), TABLE);
    const putItem = (pk: string) => ({
      operation: 'PutItem',
      body: JSON.stringify({ TableName: TABLE, Item: { pk: { S: pk }, sk: { S: 'TABLE' } } }),
    });
    const underWay = Array.from({ length: 20 }, (_, i) =>
      closing.inProcess.handle(putItem(`RUN#closing-${i}`)),
    );

    // Act
    await closing.close();

    // Assess
    const answers = await Promise.all(underWay);
    expect(answers.map(({ statusCode }) => statusCode)).toEqual(Array(20).fill(200));
  });
});
