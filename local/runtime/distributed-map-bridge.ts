// Distributed Map for the local runtime. aws-local-stepfunctions runs every Map inline, inside the execution
// that holds it: it ignores ItemReader, ResultWriter, ToleratedFailurePercentage and child execution identity,
// and keeps every finished iteration (its events, its result) until the Map ends. So the loaded definition is
// rewritten in memory, here and nowhere else: each Map whose ItemProcessor runs DISTRIBUTED becomes a Task state
// of the same name, with the Map's InputPath, ResultSelector, ResultPath, OutputPath, Retry, Catch and
// transitions, whose Parameters let the interpreter evaluate what the Map reads from its input (the ItemReader's
// and ResultWriter's Parameters, MaxConcurrencyPath, the tolerated failures, the part of the ItemSelector that is
// the same for every item). Its local handler runs the Map Run as AWS does (map-run.ts): each item its own child
// execution of the ItemProcessor, MaxConcurrency at a time, ToleratedFailurePercentage/Count, the ResultWriter's
// manifest in S3; a finished child leaves nothing behind but its counts.
//
// Known differences from AWS: the Map's own events name it a Task state; the ItemSelector may use
// `$$.Map.Item.Value` and `$$.Map.Item.Index` only as whole values; only a JSON ItemReader is read; no
// ItemBatcher, redrive or EXPRESS children; only the children that did not succeed get results files
// (map-results.ts).
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** The definition uses a Distributed Map feature the local runtime cannot reproduce. */
export class UnsupportedDistributedMapError extends Error {
  override name = 'UnsupportedDistributedMapError';
}

const S3_GET_OBJECT = 'arn:aws:states:::s3:getObject';
const S3_PUT_OBJECT = 'arn:aws:states:::s3:putObject';
/** The stand-in Task's Resource: never called as a service, its local handler runs the Map Run. */
export const DISTRIBUTED_MAP_RESOURCE = 'local:distributed-map';

export interface ReaderConfig {
  InputType?: string;
  MaxItems?: number;
  [key: string]: unknown;
}

/** Where the ItemSelector puts the item or its index: a path of keys in the selected input. */
export interface ItemField {
  path: string[];
  value: 'Value' | 'Index';
}

/** What the bridge knows of one Distributed Map, for its Map Runs. */
export interface DistributedMapPlan {
  mapName: string;
  /** Names the Map Run and its children in their ARNs, as the Map's Label does in AWS. */
  label: string;
  /** The ItemProcessor, itself bridged: each child execution runs it. */
  processor: StateMachineDefinition;
  /** Present when the Map reads its items from S3. */
  reader?: ReaderConfig;
  /** The ItemSelector's per-item fields; undefined when the Map has no ItemSelector (the item is the input). */
  itemFields?: ItemField[];
  writesResults: boolean;
}

/** What the interpreter evaluates for the stand-in (its Parameters) and hands to the Map Run. */
export interface MapRunInput {
  /** Without an ItemReader: the items, from the Map's ItemsPath. */
  Items?: unknown;
  /** The ItemReader's Parameters, evaluated (Bucket, Key, VersionId). */
  ItemReader?: Record<string, unknown>;
  MaxItems?: unknown;
  /** The ItemSelector with its per-item fields left out, evaluated once. */
  ItemSelector?: Record<string, unknown>;
  /** The ResultWriter's Parameters, evaluated (Bucket, Prefix). */
  ResultWriter?: Record<string, unknown>;
  MaxConcurrency?: unknown;
  ToleratedFailurePercentage?: unknown;
  ToleratedFailureCount?: unknown;
}

export interface BridgedDefinition {
  definition: StateMachineDefinition;
  /** Every Distributed Map, at any depth, by state name (state names are unique machine-wide). */
  maps: Map<string, DistributedMapPlan>;
}

type State = Record<string, unknown>;
interface StatesScope {
  StartAt: string;
  States: Record<string, State>;
}

function unsupported(mapName: string, what: string): never {
  throw new UnsupportedDistributedMapError(
    `Map '${mapName}': ${what} is not supported by the local runtime's Distributed Map bridge`,
  );
}

const ITEM_REFERENCE = /^\$\$\.Map\.Item\.(Value|Index)$/;
/** Intrinsics that give another value each time: evaluated once, every item would get the same one. */
const PER_CALL_INTRINSICS = /States\.(UUID|MathRandom)\s*\(/;

/**
 * Splits an ItemSelector into what is the same for every item (evaluated once by the interpreter) and where the
 * item and its index go.
 */
function splitItemSelector(
  mapName: string,
  template: Record<string, unknown>,
  path: string[] = [],
  fields: ItemField[] = [],
): { shared: Record<string, unknown>; fields: ItemField[] } {
  const shared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && typeof value === 'string') {
      const item = ITEM_REFERENCE.exec(value.trim());
      if (item) {
        fields.push({ path: [...path, key.slice(0, -2)], value: item[1] as ItemField['value'] });
        continue;
      }
      if (value.includes('$$.Map')) unsupported(mapName, `ItemSelector field '${key}': ${value}`);
      if (PER_CALL_INTRINSICS.test(value)) unsupported(mapName, `ItemSelector field '${key}': ${value}`);
      shared[key] = value;
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      shared[key] = splitItemSelector(
        mapName,
        value as Record<string, unknown>,
        [...path, key],
        fields,
      ).shared;
    } else {
      if (JSON.stringify(value ?? null).includes('$$.Map'))
        unsupported(mapName, `ItemSelector field '${key}' (an item reference inside an array)`);
      shared[key] = value;
    }
  }
  return { shared, fields };
}

/** `Field` or `FieldPath` of a Map state, as the stand-in's Parameters entry for `Field`. */
function valueOrPath(map: State, field: string): Record<string, unknown> {
  if (`${field}Path` in map) return { [`${field}.$`]: map[`${field}Path`] };
  if (field in map) return { [field]: map[field] };
  return {};
}

function readerPlan(mapName: string, map: State): { reader?: ReaderConfig; parameters: State } {
  const itemReader = map.ItemReader as
    { Resource?: string; ReaderConfig?: ReaderConfig; Parameters?: unknown } | undefined;
  if (!itemReader) return { parameters: { 'Items.$': map.ItemsPath ?? '$' } };
  if (itemReader.Resource !== S3_GET_OBJECT)
    unsupported(mapName, `ItemReader ${String(itemReader.Resource)}`);
  const config = itemReader.ReaderConfig ?? {};
  if (config.InputType !== 'JSON') unsupported(mapName, `InputType ${String(config.InputType)}`);
  if ('ItemsPointer' in config) unsupported(mapName, 'ReaderConfig.ItemsPointer');
  if ('ItemsPath' in map) unsupported(mapName, 'ItemsPath with an ItemReader');
  return {
    reader: config,
    parameters: { ItemReader: itemReader.Parameters ?? {}, ...valueOrPath(config, 'MaxItems') },
  };
}

function writerParameters(mapName: string, map: State): State {
  const writer = map.ResultWriter as { Resource?: string; Parameters?: unknown } | undefined;
  if (!writer) return {};
  if (writer.Resource !== S3_PUT_OBJECT) unsupported(mapName, `ResultWriter ${String(writer.Resource)}`);
  if ('WriterConfig' in writer) unsupported(mapName, 'ResultWriter.WriterConfig');
  return { ResultWriter: writer.Parameters ?? {} };
}

/** The Task state that stands in for a Distributed Map, and what its Map Runs need to know. */
function bridgeMap(mapName: string, map: State, maps: Map<string, DistributedMapPlan>): State {
  for (const field of ['ItemBatcher', 'Arguments', 'QueryLanguage', 'Items', 'Assign'])
    if (field in map) unsupported(mapName, field);
  const processor = map.ItemProcessor as StatesScope & { ProcessorConfig?: { ExecutionType?: string } };
  if (processor.ProcessorConfig?.ExecutionType === 'EXPRESS') unsupported(mapName, 'EXPRESS children');
  const { reader, parameters } = readerPlan(mapName, map);
  const selectorTemplate = (map.ItemSelector ?? map.Parameters) as Record<string, unknown> | undefined;
  const selector = selectorTemplate ? splitItemSelector(mapName, selectorTemplate) : undefined;
  const { ProcessorConfig: _config, ...processorStates } = processor;
  maps.set(mapName, {
    mapName,
    label: typeof map.Label === 'string' ? map.Label : mapName,
    processor: bridgeScope(processorStates, maps) as unknown as StateMachineDefinition,
    reader,
    itemFields: selector?.fields,
    writesResults: 'ResultWriter' in map,
  });
  const kept = (fields: string[]) =>
    Object.fromEntries(fields.filter((f) => f in map).map((f) => [f, map[f]]));
  return {
    Type: 'Task',
    ...kept(['Comment', 'InputPath']),
    Resource: DISTRIBUTED_MAP_RESOURCE,
    Parameters: {
      ...parameters,
      ...(selector ? { ItemSelector: selector.shared } : {}),
      ...writerParameters(mapName, map),
      ...valueOrPath(map, 'MaxConcurrency'),
      ...valueOrPath(map, 'ToleratedFailurePercentage'),
      ...valueOrPath(map, 'ToleratedFailureCount'),
    },
    ...kept(['ResultSelector', 'ResultPath', 'OutputPath', 'Retry', 'Catch', 'Next', 'End']),
  };
}

function isDistributed(state: State): boolean {
  const processor = state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined;
  return state.Type === 'Map' && processor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

function bridgeScope(scope: StatesScope, maps: Map<string, DistributedMapPlan>): StatesScope {
  const states: Record<string, State> = {};
  for (const [name, state] of Object.entries(scope.States)) {
    if (isDistributed(state)) {
      states[name] = bridgeMap(name, state, maps);
      continue;
    }
    if (state.ItemReader) unsupported(name, 'an ItemReader on an INLINE Map');
    const inline = (state.ItemProcessor ?? state.Iterator) as StatesScope | undefined;
    const branches = state.Branches as StatesScope[] | undefined;
    states[name] = {
      ...state,
      ...(inline ? { [state.ItemProcessor ? 'ItemProcessor' : 'Iterator']: bridgeScope(inline, maps) } : {}),
      ...(branches ? { Branches: branches.map((branch) => bridgeScope(branch, maps)) } : {}),
    };
  }
  return { ...scope, States: states };
}

/** The definition with every Distributed Map replaced by its stand-in; the loaded definition is not changed. */
export function bridgeDistributedMaps(definition: StateMachineDefinition): BridgedDefinition {
  // A JSON copy, not structuredClone: under Jest that returns objects of another realm, which the interpreter's
  // plain-object checks do not recognise (it would then pass Parameters through unevaluated).
  const copy = JSON.parse(JSON.stringify(definition)) as StatesScope;
  const maps = new Map<string, DistributedMapPlan>();
  const bridged = bridgeScope(copy, maps);
  return { definition: bridged as unknown as StateMachineDefinition, maps };
}

/** The input of one child: the shared part of the ItemSelector with the item and its index put in. */
export function selectItem(
  itemFields: ItemField[] | undefined,
  shared: Record<string, unknown> | undefined,
  item: unknown,
  index: number,
): unknown {
  if (!itemFields) return item;
  const input: Record<string, unknown> = { ...shared };
  for (const { path, value } of itemFields) {
    let target = input;
    for (const key of path.slice(0, -1)) target = target[key] = { ...(target[key] as object) };
    target[path[path.length - 1]!] = value === 'Value' ? item : index;
  }
  return input;
}
