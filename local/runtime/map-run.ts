// One Map Run of a Distributed Map, as the Step Functions guide describes it: each item becomes a child
// execution of the ItemProcessor, with the ItemSelector's output as its input; at most MaxConcurrency run at once
// (0 or none: 10,000, "If you don't specify, Step Functions runs 10,000 parallel child workflow executions");
// the Map Run fails with States.ExceedToleratedFailureThreshold once its failed and timed-out children exceed
// ToleratedFailurePercentage (of all items) or ToleratedFailureCount (with neither set, any failure does), and
// then stops the children still running; with a ResultWriter the failed children's results go to S3
// (map-results.ts) and the Map's result is the manifest's location, else the children's outputs in item order. A
// finished child leaves only its counts (and, if it failed, its entry in the part being written).
import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { mapRunNames, type ExecutionIdentity, type StartedExecution } from './child-execution';
import { selectItem, type DistributedMapPlan, type MapRunInput } from './distributed-map-bridge';
import { ServiceError } from './job-backend';
import { itemsOfArray, readMapItems, type MapItems } from './map-items';
import { MapResultWriter } from './map-results';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { StatesRuntimeError } from './states-runtime-error';

/** Step Functions' own ceiling on a Distributed Map's children at once. */
export const DEFAULT_MAX_CONCURRENCY = 10_000;

export interface MapRunCounts {
  total: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
}

/** In the parent's history, as AWS records a Map Run (MapRunStarted, MapRunSucceeded, MapRunFailed, …). */
export interface MapRunEvent {
  type: 'MapRunStarted' | 'MapRunSucceeded' | 'MapRunFailed' | 'MapRunAborted';
  timestamp: number;
  mapRun: { arn: string; map: string; counts?: MapRunCounts; Error?: string; Cause?: string };
}

export interface MapRunOptions {
  plan: DistributedMapPlan;
  /** The stand-in's Parameters, evaluated by the interpreter. */
  input: MapRunInput;
  /** The execution the Map runs in. */
  parent: ExecutionIdentity;
  /** Stops the Map Run (its parent was stopped). */
  signal?: AbortSignal;
  s3: S3Client;
  startChild(
    definition: StateMachineDefinition,
    input: unknown,
    identity: ExecutionIdentity,
    signal: AbortSignal,
  ): StartedExecution;
  onEvent?: (event: MapRunEvent & { execution?: ExecutionIdentity }) => void;
}

function whole(value: unknown, field: string, mapName: string, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max)
    throw new StatesRuntimeError(
      `Map '${mapName}': ${field} is ${JSON.stringify(value)}, expected an integer from 0${max < Infinity ? ` to ${max}` : ''}`,
    );
  return value;
}

async function itemsOf(options: MapRunOptions): Promise<MapItems> {
  const { input, plan, s3 } = options;
  if (plan.reader)
    return readMapItems(s3, input.ItemReader ?? {}, whole(input.MaxItems, 'MaxItems', plan.mapName));
  if (!Array.isArray(input.Items))
    throw new StatesRuntimeError(`Map '${plan.mapName}': its ItemsPath does not point to an array`);
  return itemsOfArray(input.Items);
}

/** Runs the Map Run; resolves to the Map's result. */
export async function runMapRun(options: MapRunOptions): Promise<unknown> {
  const { plan, input, parent, signal } = options;
  const items = await itemsOf(options);
  const concurrency = whole(input.MaxConcurrency, 'MaxConcurrency', plan.mapName) || DEFAULT_MAX_CONCURRENCY;
  const toleratedPercentage = whole(
    input.ToleratedFailurePercentage,
    'ToleratedFailurePercentage',
    plan.mapName,
    100,
  );
  const toleratedCount = whole(input.ToleratedFailureCount, 'ToleratedFailureCount', plan.mapName);
  const mapRunId = randomUUID();
  const names = mapRunNames(parent, plan.label, mapRunId);
  const writer = plan.writesResults
    ? new MapResultWriter(options.s3, input.ResultWriter ?? {}, names.mapRunArn, mapRunId)
    : undefined;
  const outputs: unknown[] | undefined = writer ? undefined : new Array(items.length);
  const counts: MapRunCounts = { total: items.length, succeeded: 0, failed: 0, timedOut: 0, aborted: 0 };
  const emit = (type: MapRunEvent['type'], extra: Partial<MapRunEvent['mapRun']> = {}) =>
    options.onEvent?.({
      type,
      timestamp: Date.now(),
      mapRun: { arn: names.mapRunArn, map: plan.mapName, ...extra },
      ...(parent.mapRunArn ? { execution: parent } : {}),
    });

  const exceeded = () => {
    const failures = counts.failed + counts.timedOut;
    if (failures === 0) return false;
    if (toleratedPercentage === undefined && toleratedCount === undefined) return true;
    return (
      (toleratedCount !== undefined && failures > toleratedCount) ||
      (toleratedPercentage !== undefined && (failures * 100) / counts.total > toleratedPercentage)
    );
  };

  // Children are stopped when the parent is, or when the Map Run fails; none starts after that.
  const stop = new AbortController();
  const running = new Set<() => void>();
  const stopChildren = () => {
    if (stop.signal.aborted) return;
    stop.abort();
    for (const abort of running) abort();
  };
  signal?.addEventListener('abort', stopChildren, { once: true });
  let failure: { error: string; cause: string } | undefined;
  let next = 0;
  const shortId = mapRunId.slice(0, 8);

  const worker = async () => {
    while (!stop.signal.aborted && next < items.length) {
      const index = next++;
      let item: unknown;
      try {
        item = items.item(index);
      } catch (error) {
        failure ??= { error: (error as Error).name, cause: (error as Error).message };
        stopChildren();
        return;
      }
      const childInput = selectItem(plan.itemFields, input.ItemSelector, item, index);
      const name = `${shortId}-${index}`;
      const identity: ExecutionIdentity = {
        name,
        arn: names.childArn(name),
        stateMachineArn: names.childStateMachineArn,
        mapRunArn: names.mapRunArn,
        map: plan.mapName,
        index,
      };
      const startDate = new Date().toISOString();
      const child = options.startChild(plan.processor, childInput, identity, stop.signal);
      running.add(child.abort);
      const outcome = await child.outcome;
      running.delete(child.abort);
      if (outcome.status === 'SUCCEEDED') counts.succeeded++;
      else if (outcome.status === 'FAILED') counts.failed++;
      else if (outcome.status === 'TIMED_OUT') counts.timedOut++;
      else counts.aborted++;
      // Only a child that did not succeed gets its entry (map-results.ts says why).
      if (writer && outcome.status !== 'SUCCEEDED')
        writer.add({
          ExecutionArn: identity.arn,
          Name: name,
          StateMachineArn: names.childStateMachineArn,
          Status: outcome.status,
          StartDate: startDate,
          StopDate: new Date().toISOString(),
          Input: JSON.stringify(childInput),
          Error: outcome.error,
          Cause: outcome.cause,
        });
      if (outputs)
        outputs[index] =
          outcome.status === 'SUCCEEDED' ? outcome.output : { Error: outcome.error, Cause: outcome.cause };
      if (outcome.status !== 'SUCCEEDED' && outcome.status !== 'ABORTED' && !failure && exceeded()) {
        failure = {
          error: 'States.ExceedToleratedFailureThreshold',
          cause:
            `Map Run ${names.mapRunArn}: ${counts.failed + counts.timedOut} of ${counts.total} child executions ` +
            `failed or timed out, more than tolerated (${toleratedPercentage ?? 0}%` +
            `${toleratedCount !== undefined ? `, ${toleratedCount}` : ''}); ${identity.arn}: ${outcome.error}: ${outcome.cause}`,
        };
        stopChildren();
      }
    }
  };

  emit('MapRunStarted');
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  } finally {
    signal?.removeEventListener('abort', stopChildren);
  }
  if (signal?.aborted) {
    emit('MapRunAborted', { counts });
    // The parent was stopped: nothing waits for this Map's result, and an error neither retried nor caught
    // lets its state end (a promise left pending would keep the state's timer).
    throw new StatesRuntimeError(`Map Run ${names.mapRunArn} stopped with its execution`);
  }
  let result: unknown = outputs;
  try {
    if (writer) result = await writer.finish();
  } catch (error) {
    failure ??= { error: (error as Error).name, cause: (error as Error).message };
  }
  if (failure) {
    emit('MapRunFailed', { counts, Error: failure.error, Cause: failure.cause });
    throw new ServiceError(failure.error, failure.cause);
  }
  emit('MapRunSucceeded', { counts });
  return result;
}
