// The local runtime's Distributed Map bridge: the deployed definition rewritten in memory so that the interpreter,
// which runs every Map inline, reads a Map's items from S3 as the ItemReader would. S3 is a real s3rver.
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  LOCAL_ITEMS_FIELD,
  UnsupportedItemReaderError,
  bridgeDistributedMaps,
  itemReaderStateName,
  readMapItems,
} from '../../local/runtime/distributed-map-bridge';
import { localS3Client, startS3, type Emulator } from '../../local/stack/emulators';
import { loadDefinition } from '../../local/runtime/load-definition';

jest.setTimeout(20_000);

type State = Record<string, unknown>;
const MAP = 'Iterate Through Extract Tables';
const READER = itemReaderStateName(MAP);
const GROUPS_MAP = 'Iterate Through Quota Groups';
const GROUPS_READER = itemReaderStateName(GROUPS_MAP);

function states(definition: StateMachineDefinition): Record<string, State> {
  return (definition as unknown as { States: Record<string, State> }).States;
}

function distributedMap(extra: State = {}): StateMachineDefinition {
  return {
    StartAt: 'Decide',
    States: {
      Decide: {
        Type: 'Choice',
        Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Fan Out' }],
        Default: 'Fan Out',
      },
      'Fan Out': {
        Type: 'Map',
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON' },
          Parameters: { 'Bucket.$': '$.items.bucket', 'Key.$': '$.items.key' },
        },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Work',
          States: { Work: { Type: 'Pass', End: true } },
        },
        ResultPath: null,
        End: true,
        ...extra,
      },
    },
  } as unknown as StateMachineDefinition;
}

describe('bridging the deployed definition', () => {
  it('puts a reader state before each Map, which then takes its items from where the reader put them', () => {
    // Prepare
    const deployed = loadDefinition();

    // Act
    const { definition, readers } = bridgeDistributedMaps(deployed);

    // Assess: the quota groups' Map at the top, the tables' Map inside each group's iteration
    const groupsProcessor = (scope: StateMachineDefinition) =>
      states(scope)[GROUPS_MAP]!.ItemProcessor as unknown as StateMachineDefinition;
    expect(readers).toEqual([
      { stateName: READER, mapName: MAP, readerConfig: { InputType: 'JSON' } },
      { stateName: GROUPS_READER, mapName: GROUPS_MAP, readerConfig: { InputType: 'JSON' } },
    ]);
    expect(states(definition)['Extract Config Manager']!.Next).toBe(GROUPS_READER);
    expect((groupsProcessor(definition) as unknown as { StartAt: string }).StartAt).toBe(READER);
    for (const [scope, deployedScope, mapName, readerName] of [
      [definition, deployed, GROUPS_MAP, GROUPS_READER],
      [groupsProcessor(definition), groupsProcessor(deployed), MAP, READER],
    ] as const) {
      const reader = states(scope)[readerName]!;
      const map = states(scope)[mapName]!;
      const deployedMap = states(deployedScope)[mapName]!;
      expect(reader).toMatchObject({
        Type: 'Task',
        Resource: 'arn:aws:states:::s3:getObject',
        Parameters: (deployedMap.ItemReader as State).Parameters,
        ResultPath: `$.${LOCAL_ITEMS_FIELD}`,
        Next: mapName,
      });
      expect(map.ItemsPath).toBe(`$.${LOCAL_ITEMS_FIELD}`);
      expect(map.ItemReader).toBeUndefined();
      expect(map.ResultWriter).toBeUndefined();
    }
    // Everything else about the tables' Map is the deployed one.
    const map = states(groupsProcessor(definition))[MAP]!;
    const deployedMap = states(groupsProcessor(deployed))[MAP]!;
    for (const field of ['ItemSelector', 'MaxConcurrencyPath', 'ItemProcessor', 'ResultPath', 'End'])
      expect([field, map[field]]).toEqual([field, deployedMap[field]]);
  });

  it('leaves the loaded definition as it was', () => {
    const deployed = loadDefinition();
    const before = JSON.stringify(deployed);

    bridgeDistributedMaps(deployed);

    expect(JSON.stringify(deployed)).toBe(before);
  });

  it('redirects every transition into the Map (StartAt, Choices, Default) and gives the reader its Retry and Catch', () => {
    // Prepare
    const retry = [{ ErrorEquals: ['States.ItemReaderFailed'], MaxAttempts: 2 }];
    const catchers = [{ ErrorEquals: ['States.ALL'], Next: 'Decide' }];

    // Act
    const { definition } = bridgeDistributedMaps(distributedMap({ Retry: retry, Catch: catchers }));

    // Assess
    const decide = states(definition).Decide!;
    expect(decide.Default).toBe('Fan Out (ItemReader)');
    expect((decide.Choices as State[])[0]!.Next).toBe('Fan Out (ItemReader)');
    expect(states(definition)['Fan Out (ItemReader)']).toMatchObject({ Retry: retry, Catch: catchers });
  });

  it('changes nothing in a definition without an ItemReader', () => {
    const inline = distributedMap();
    delete (states(inline)['Fan Out'] as State).ItemReader;

    const { definition, readers } = bridgeDistributedMaps(inline);

    expect(readers).toEqual([]);
    expect(definition).toEqual(inline);
  });

  it.each([
    [
      'a CSV reader',
      { ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV' } } },
      'InputType CSV',
    ],
    ['an object listing', { ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2' } }, 'listObjectsV2'],
    ['an InputPath', { InputPath: '$.run' }, 'InputPath'],
    ['batching', { ItemBatcher: { MaxItemsPerBatch: 10 } }, 'ItemBatcher'],
  ])('refuses %s it cannot reproduce, naming the Map and the feature', (_label, extra, feature) => {
    expect(() => bridgeDistributedMaps(distributedMap(extra))).toThrow(UnsupportedItemReaderError);
    expect(() => bridgeDistributedMaps(distributedMap(extra))).toThrow(
      new RegExp(`Map 'Fan Out': .*${feature}`),
    );
  });
});

describe('reading the items', () => {
  const BUCKET = 'bridge-items';
  let s3Emulator: Emulator;
  let s3: S3Client;

  beforeAll(async () => {
    s3Emulator = await startS3();
    s3 = localS3Client(s3Emulator.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterAll(async () => {
    s3?.destroy();
    await s3Emulator?.close();
  });

  async function anObject(key: string, body: string): Promise<void> {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }

  it('returns the JSON array, cut to MaxItems when the reader sets it', async () => {
    await anObject('runs/r1/tables.json', JSON.stringify([{ table: 'a' }, { table: 'b' }, { table: 'c' }]));

    const all = await readMapItems(s3, { Bucket: BUCKET, Key: 'runs/r1/tables.json' }, { InputType: 'JSON' });
    const two = await readMapItems(
      s3,
      { Bucket: BUCKET, Key: 'runs/r1/tables.json' },
      { InputType: 'JSON', MaxItems: 2 },
    );

    expect(all).toEqual([{ table: 'a' }, { table: 'b' }, { table: 'c' }]);
    expect(two).toEqual([{ table: 'a' }, { table: 'b' }]);
  });

  it.each([
    ['a missing object', undefined, 'NoSuchKey'],
    ['an object that is not JSON', 'tables: [a]', 'not JSON'],
    ['a JSON object instead of an array', '{"tables": []}', 'not a JSON array'],
  ])('fails with States.ItemReaderFailed on %s, naming the object', async (_label, body, reason) => {
    const key = `runs/bad-${reason.replace(/\W/g, '')}/tables.json`;
    if (body !== undefined) await anObject(key, body);

    const reading = readMapItems(s3, { Bucket: BUCKET, Key: key }, { InputType: 'JSON' });

    await expect(reading).rejects.toMatchObject({ name: 'States.ItemReaderFailed' });
    await expect(reading).rejects.toThrow(`s3://${BUCKET}/${key}`);
    await expect(reading).rejects.toThrow(reason);
  });
});
