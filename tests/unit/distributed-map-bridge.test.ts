// The local runtime's Distributed Map bridge: the deployed definition rewritten in memory so that each
// Distributed Map is a stand-in Task whose Map Runs start a child execution per item (map-run.ts).
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  DISTRIBUTED_MAP_RESOURCE,
  UnsupportedDistributedMapError,
  bridgeDistributedMaps,
  selectItem,
} from '../../local/runtime/distributed-map-bridge';
import { loadDefinition } from '../../local/runtime/load-definition';

type State = Record<string, unknown>;
const MAP = 'Iterate Through Extract Tables';
const GROUPS_MAP = 'Iterate Through Quota Groups';

function states(definition: StateMachineDefinition): Record<string, State> {
  return (definition as unknown as { States: Record<string, State> }).States;
}

function distributedMap(extra: State = {}): StateMachineDefinition {
  return {
    StartAt: 'Fan Out',
    States: {
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
  it('stands a Task in for each Distributed Map, which hands the interpreter what the Map reads from its input', () => {
    // Prepare
    const deployed = loadDefinition();

    // Act
    const { definition, maps } = bridgeDistributedMaps(deployed);

    // Assess: the quota groups' Map at the top, the tables' Map inside each group's child execution
    expect([...maps.keys()].sort()).toEqual([MAP, GROUPS_MAP]);
    const groups = maps.get(GROUPS_MAP)!;
    const tables = maps.get(MAP)!;
    expect(states(definition)[GROUPS_MAP]).toMatchObject({
      Type: 'Task',
      Resource: DISTRIBUTED_MAP_RESOURCE,
      Parameters: {
        ItemReader: { 'Bucket.$': '$.groups.bucket', 'Key.$': '$.groups.key' },
        ItemSelector: { 'run.$': '$.run', 'results.$': '$.results' },
        ResultWriter: { 'Bucket.$': '$.results.bucket', 'Prefix.$': '$.results.prefix' },
        MaxConcurrency: 0,
      },
      ResultPath: null,
      Next: 'Complete Extract Run',
    });
    expect(groups).toMatchObject({
      label: 'QuotaGroups',
      reader: { InputType: 'JSON' },
      itemFields: [{ path: ['group'], value: 'Value' }],
      writesResults: true,
    });
    expect(states(groups.processor)[MAP]).toMatchObject({
      Type: 'Task',
      Resource: DISTRIBUTED_MAP_RESOURCE,
      Parameters: {
        ItemReader: { 'Bucket.$': '$.group.items.bucket', 'Key.$': '$.group.items.key' },
        ItemSelector: { 'run.$': '$.run' },
        'MaxConcurrency.$': '$.group.max_concurrency',
        ToleratedFailurePercentage: 100,
      },
      ResultPath: null,
      OutputPath: '$.group',
      End: true,
    });
    expect(tables).toMatchObject({
      label: 'ExtractTables',
      itemFields: [{ path: ['table'], value: 'Value' }],
    });
    // The tables' processor is the deployed one, without its ProcessorConfig.
    const deployedProcessor = (
      states(states(deployed)[GROUPS_MAP]!.ItemProcessor as unknown as StateMachineDefinition)[MAP]!
        .ItemProcessor as State
    ).States;
    expect(states(tables.processor)).toEqual(deployedProcessor);
  });

  it('leaves the loaded definition as it was', () => {
    const deployed = loadDefinition();
    const before = JSON.stringify(deployed);

    bridgeDistributedMaps(deployed);

    expect(JSON.stringify(deployed)).toBe(before);
  });

  it('keeps the Map’s Retry, Catch and transitions on its stand-in', () => {
    // Prepare
    const retry = [{ ErrorEquals: ['States.ItemReaderFailed'], MaxAttempts: 2 }];
    const catchers = [{ ErrorEquals: ['States.ALL'], Next: 'Fan Out' }];

    // Act
    const { definition } = bridgeDistributedMaps(distributedMap({ Retry: retry, Catch: catchers }));

    // Assess
    expect(states(definition)['Fan Out']).toMatchObject({ Retry: retry, Catch: catchers, End: true });
  });

  it('changes nothing in a definition without a Distributed Map', () => {
    const inline = distributedMap();
    const map = states(inline)['Fan Out']!;
    delete map.ItemReader;
    (map.ItemProcessor as State).ProcessorConfig = { Mode: 'INLINE' };

    const { definition, maps } = bridgeDistributedMaps(inline);

    expect(maps.size).toBe(0);
    expect(definition).toEqual(inline);
  });

  it.each([
    [
      'a CSV reader',
      { ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV' } } },
      'InputType CSV',
    ],
    ['an object listing', { ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2' } }, 'listObjectsV2'],
    ['batching', { ItemBatcher: { MaxItemsPerBatch: 10 } }, 'ItemBatcher'],
    ['a path into the item', { ItemSelector: { 'name.$': '$$.Map.Item.Value.name' } }, 'ItemSelector'],
    ['a UUID per item', { ItemSelector: { 'id.$': 'States.UUID()' } }, 'ItemSelector'],
  ])('refuses %s it cannot reproduce, naming the Map and the feature', (_label, extra, feature) => {
    expect(() => bridgeDistributedMaps(distributedMap(extra))).toThrow(UnsupportedDistributedMapError);
    expect(() => bridgeDistributedMaps(distributedMap(extra))).toThrow(
      new RegExp(`Map 'Fan Out': .*${feature}`),
    );
  });

  it('puts the item and its index where the ItemSelector says, beside the shared part', () => {
    const shared = { run: { run_id: 'r1' }, nested: { keep: 1 } };
    const fields = [
      { path: ['table'], value: 'Value' as const },
      { path: ['nested', 'position'], value: 'Index' as const },
    ];

    const input = selectItem(fields, shared, { table: 'a' }, 7);

    expect(input).toEqual({ run: { run_id: 'r1' }, table: { table: 'a' }, nested: { keep: 1, position: 7 } });
    expect(shared).toEqual({ run: { run_id: 'r1' }, nested: { keep: 1 } });
  });
});
