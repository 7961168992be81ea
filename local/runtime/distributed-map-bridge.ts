// Distributed Map for the local runtime. aws-local-stepfunctions runs every Map inline: it ignores ItemReader,
// ResultWriter, ProcessorConfig and ToleratedFailurePercentage, and would look for the items in the Map's input.
// So the loaded definition is rewritten in memory, here and nowhere else: before each Map that reads its items
// from S3, a synthetic Task state does what the ItemReader does (reads the object through the real S3 client,
// which the local runtime points at the local S3), putting the items where the Map's ItemsPath then finds them.
// Everything else about the Map (ItemSelector, MaxConcurrencyPath, the item processor) is the deployed one.
//
// Known differences from AWS: the children run inside this execution (one event history, not a child
// execution each), a failed item fails the Map whatever ToleratedFailurePercentage says (our items catch every
// error, so none fail), and the items stay in the state data after the Map (ResultWriter writes nothing).
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { ServiceError } from './job-backend';

/** Where the synthetic state puts the items in the Map's input, read by the Map's ItemsPath. */
export const LOCAL_ITEMS_FIELD = 'local_distributed_map_items';

const S3_GET_OBJECT = 'arn:aws:states:::s3:getObject';

/** The name of the synthetic state that reads the items of `mapName`. */
export function itemReaderStateName(mapName: string): string {
  return `${mapName} (ItemReader)`;
}

/** The definition uses an ItemReader feature the local runtime cannot reproduce. */
export class UnsupportedItemReaderError extends Error {
  override name = 'UnsupportedItemReaderError';
}

export interface ReaderConfig {
  InputType?: string;
  MaxItems?: number;
  [key: string]: unknown;
}

/** A synthetic state and the ItemReader it stands in for. */
export interface BridgedItemReader {
  stateName: string;
  mapName: string;
  readerConfig: ReaderConfig;
}

export interface BridgedDefinition {
  definition: StateMachineDefinition;
  readers: BridgedItemReader[];
}

type State = Record<string, unknown>;
interface StatesScope {
  StartAt: string;
  States: Record<string, State>;
}

function unsupported(mapName: string, what: string): never {
  throw new UnsupportedItemReaderError(
    `Map '${mapName}': ${what} is not supported by the local runtime's Distributed Map bridge`,
  );
}

/** Points every transition to `from` (StartAt, Next, Default, Choices, Catch) at `to`, within one scope. */
function redirect(scope: StatesScope, from: string, to: string): void {
  if (scope.StartAt === from) scope.StartAt = to;
  for (const state of Object.values(scope.States)) {
    if (state.Next === from) state.Next = to;
    if (state.Default === from) state.Default = to;
    for (const rule of [...((state.Choices as State[]) ?? []), ...((state.Catch as State[]) ?? [])]) {
      if (rule.Next === from) rule.Next = to;
    }
  }
}

function bridgeScope(scope: StatesScope, readers: BridgedItemReader[]): void {
  for (const [mapName, map] of Object.entries(scope.States)) {
    if (map.Type !== 'Map') continue;
    const processor = (map.ItemProcessor ?? map.Iterator) as StatesScope | undefined;
    if (processor) bridgeScope(processor, readers);
    const reader = map.ItemReader as
      { Resource?: string; ReaderConfig?: ReaderConfig; Parameters?: unknown } | undefined;
    if (!reader) continue;

    if (reader.Resource !== S3_GET_OBJECT) unsupported(mapName, `ItemReader ${String(reader.Resource)}`);
    const readerConfig = reader.ReaderConfig ?? {};
    if (readerConfig.InputType !== 'JSON')
      unsupported(mapName, `InputType ${String(readerConfig.InputType)}`);
    for (const field of ['MaxItemsPath', 'ItemsPointer'])
      if (field in readerConfig) unsupported(mapName, `ReaderConfig.${field}`);
    for (const field of ['InputPath', 'ItemsPath', 'ItemBatcher', 'Arguments', 'QueryLanguage'])
      if (field in map) unsupported(mapName, `${field} with an ItemReader`);

    const stateName = itemReaderStateName(mapName);
    if (stateName in scope.States) unsupported(mapName, `a state named '${stateName}'`);
    redirect(scope, mapName, stateName);
    // The read happens where the Map would do it, so the Map's own Retry and Catch cover it, as in AWS
    // (States.ItemReaderFailed is the Map's error there).
    scope.States[stateName] = {
      Type: 'Task',
      Comment: `Local stand-in for the ItemReader of '${mapName}': reads its items from S3 into $.${LOCAL_ITEMS_FIELD}.`,
      Resource: S3_GET_OBJECT,
      Parameters: reader.Parameters,
      ResultPath: `$.${LOCAL_ITEMS_FIELD}`,
      ...(map.Retry ? { Retry: map.Retry } : {}),
      ...(map.Catch ? { Catch: map.Catch } : {}),
      Next: mapName,
    };
    delete map.ItemReader;
    // Results stay in memory; with ResultPath null (as ours) they are discarded either way.
    delete map.ResultWriter;
    map.ItemsPath = `$.${LOCAL_ITEMS_FIELD}`;
    readers.push({ stateName, mapName, readerConfig });
  }
}

/** The definition with every S3-reading Map preceded by its synthetic reader state; the input is not changed. */
export function bridgeDistributedMaps(definition: StateMachineDefinition): BridgedDefinition {
  // A JSON copy, not structuredClone: under Jest that returns objects of another realm, which the interpreter's
  // plain-object checks do not recognise (it would then pass Parameters through unevaluated).
  const copy = JSON.parse(JSON.stringify(definition)) as StatesScope;
  const readers: BridgedItemReader[] = [];
  bridgeScope(copy, readers);
  return { definition: copy as unknown as StateMachineDefinition, readers };
}

/** Reads a Map's items as its ItemReader would: a JSON array in one S3 object, cut to MaxItems. */
export async function readMapItems(
  s3: S3Client,
  request: { Bucket?: unknown; Key?: unknown; VersionId?: unknown },
  readerConfig: ReaderConfig,
): Promise<unknown[]> {
  const where = `s3://${String(request.Bucket)}/${String(request.Key)}`;
  let text: string;
  try {
    const response = await s3.send(
      new GetObjectCommand({
        Bucket: String(request.Bucket),
        Key: String(request.Key),
        VersionId: typeof request.VersionId === 'string' ? request.VersionId : undefined,
      }),
    );
    text = (await response.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    throw new ServiceError(
      'States.ItemReaderFailed',
      `${where}: ${(error as Error).name}: ${(error as Error).message}`,
    );
  }
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (error) {
    throw new ServiceError('States.ItemReaderFailed', `${where}: not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(items)) throw new ServiceError('States.ItemReaderFailed', `${where}: not a JSON array`);
  return readerConfig.MaxItems && readerConfig.MaxItems > 0 ? items.slice(0, readerConfig.MaxItems) : items;
}

/** A local Task handler per synthetic reader state, reading through `s3`. */
export function itemReaderHandlers(
  readers: BridgedItemReader[],
  s3: () => S3Client,
): Record<string, (input: unknown) => Promise<unknown[]>> {
  return Object.fromEntries(
    readers.map((reader) => [
      reader.stateName,
      (input: unknown) => readMapItems(s3(), (input ?? {}) as Record<string, unknown>, reader.readerConfig),
    ]),
  );
}
