// A Distributed Map's Map Run in the local runtime, on small definitions in the real interpreter: the items
// read from S3 as the JSON ItemReader reads them, each item a child execution of its own, MaxConcurrency at a
// time, the tolerated failures, the ResultWriter's manifest and results, a stop that reaches the children, and
// the children's events with their identity. S3 is a real s3rver.
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { createJobBackend } from '../../local/runtime/job-backend';
import { readMapItems } from '../../local/runtime/map-items';
import type { LambdaHandler } from '../../local/runtime/lambda-functions';
import { runPipeline, type PipelineEvent } from '../../local/runtime/run-pipeline';
import { localS3Client, startS3, type Emulator } from '../../local/stack/emulators';

jest.setTimeout(30_000);

const BUCKET = 'map-results';
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

/** A Distributed Map over `$.items`, each child calling the local function `Work` with its item. */
function fanOut(
  map: Record<string, unknown> = {},
  states: Record<string, unknown> = {},
): StateMachineDefinition {
  return {
    StartAt: 'Fan Out',
    States: {
      'Fan Out': {
        Type: 'Map',
        Label: 'FanOut',
        ItemsPath: '$.items',
        ItemSelector: { 'item.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'tag.$': '$.tag' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Work',
          States: {
            Work: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: { FunctionName: 'Work', 'Payload.$': '$' },
              OutputPath: '$.Payload',
              End: true,
            },
          },
        },
        ResultPath: '$.map',
        Next: 'Done',
        ...map,
      },
      Done: { Type: 'Succeed' },
      ...states,
    },
  } as unknown as StateMachineDefinition;
}

interface Work {
  item: string;
  index: number;
  tag: string;
}

function run(
  definition: StateMachineDefinition,
  input: Record<string, unknown>,
  work: (payload: Work) => Promise<unknown>,
  extra: { signal?: AbortSignal; onEvent?: (event: PipelineEvent) => void; keepEvents?: boolean } = {},
) {
  return runPipeline({
    definition,
    input: { tag: 't', ...input },
    handlers: { Work: ((payload: Work) => work(payload)) as LambdaHandler },
    backend: createJobBackend(),
    s3,
    retryDelayMs: 1,
    ...extra,
  });
}

const items = (n: number) => Array.from({ length: n }, (_, i) => `item-${i}`);
type Logged = {
  type: string;
  execution?: { map?: string; index?: number; arn?: string; mapRunArn?: string };
};

async function readJson(key: string): Promise<unknown> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return JSON.parse(await object.Body!.transformToString()) as unknown;
}

describe('a Distributed Map run locally', () => {
  it('runs each item as a child execution with the ItemSelector’s input, MaxConcurrency at a time, and returns their outputs in order', async () => {
    // Prepare
    let running = 0;
    let most = 0;
    const work = async (payload: Work) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return { done: payload.item, at: payload.index, tag: payload.tag };
    };

    // Act
    const result = await run(fanOut({ MaxConcurrency: 3 }), { items: items(10), tag: 't' }, work);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(most).toBe(3);
    expect((result.output as { map: unknown[] }).map).toEqual(
      items(10).map((item, at) => ({ done: item, at, tag: 't' })),
    );
    const children = (result.events as Logged[]).filter((e) => e.type === 'ExecutionStarted' && e.execution);
    expect(children.map((e) => e.execution!.index)).toEqual([...Array(10).keys()]);
    expect(new Set(children.map((e) => e.execution!.arn)).size).toBe(10);
    expect(children[0]!.execution).toMatchObject({
      map: 'Fan Out',
      arn: expect.stringMatching(/:execution:extract-pipeline-local\/FanOut:/),
      mapRunArn: expect.stringMatching(/:mapRun:extract-pipeline-local\/FanOut:/),
    });
  });

  it('takes MaxConcurrencyPath from the input, 0 meaning no bound of its own', async () => {
    let running = 0;
    let most = 0;
    const work = async () => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return {};
    };

    const two = await run(fanOut({ MaxConcurrencyPath: '$.limit' }), { items: items(6), limit: 2 }, work);
    const mostOfTwo = most;
    most = 0;
    const unbounded = await run(
      fanOut({ MaxConcurrencyPath: '$.limit' }),
      { items: items(6), limit: 0 },
      work,
    );

    expect([two.status, unbounded.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect([mostOfTwo, most]).toEqual([2, 6]);
  });

  it('tolerates failed children up to ToleratedFailurePercentage, and fails the Map past it', async () => {
    // Prepare: one child of four fails
    const work = async (payload: Work) => {
      if (payload.index === 1) throw Object.assign(new Error('no such table'), { name: 'ExtractError' });
      return {};
    };

    // Act
    const tolerated = await run(fanOut({ ToleratedFailurePercentage: 25 }), { items: items(4) }, work);
    const exceeded = await run(fanOut({ ToleratedFailurePercentage: 20 }), { items: items(4) }, work);
    const byDefault = await run(fanOut(), { items: items(4) }, work);
    const counted = await run(fanOut({ ToleratedFailureCount: 1 }), { items: items(4) }, work);

    // Assess
    expect(tolerated.status).toBe('SUCCEEDED');
    expect((tolerated.output as { map: unknown[] }).map[1]).toMatchObject({ Error: 'ExtractError' });
    for (const failed of [exceeded, byDefault])
      expect(failed).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(exceeded.cause).toMatch(/1 of 4 child executions failed .*ExtractError/);
    expect(counted.status).toBe('SUCCEEDED');
  });

  it('lets the Map’s Catch take States.ExceedToleratedFailureThreshold, and starts no child after it', async () => {
    let started = 0;
    const work = async () => {
      started++;
      throw new Error('broken');
    };

    const result = await run(
      fanOut(
        { MaxConcurrency: 1, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Gave' }] },
        { Gave: { Type: 'Pass', Result: 'caught', ResultPath: '$.caught', End: true } },
      ),
      { items: items(5) },
      work,
    );

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ caught: 'caught' });
    expect(started).toBe(1);
  });

  it('writes the failed children’s results and a manifest where the ResultWriter says, and returns the manifest’s location', async () => {
    // Prepare
    const work = async (payload: Work) => {
      if (payload.index === 2) throw Object.assign(new Error('no such table'), { name: 'ExtractError' });
      return { done: payload.item };
    };
    const writer = {
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Bucket: BUCKET, 'Prefix.$': '$.prefix' },
      },
      ToleratedFailurePercentage: 100,
    };

    // Act
    const result = await run(fanOut(writer), { items: items(3), prefix: 'runs/r1/results' }, work);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const map = (result.output as { map: { MapRunArn: string; ResultWriterDetails: { Key: string } } }).map;
    const mapRunId = map.MapRunArn.split(':').pop()!;
    expect(map).toEqual({
      MapRunArn: expect.stringMatching(/:mapRun:extract-pipeline-local\/FanOut:/),
      ResultWriterDetails: { Bucket: BUCKET, Key: `runs/r1/results/${mapRunId}/manifest.json` },
    });
    const manifest = (await readJson(map.ResultWriterDetails.Key)) as {
      ResultFiles: Record<string, { Key: string; Size: number }[]>;
    };
    expect(manifest).toEqual({
      DestinationBucket: BUCKET,
      MapRunArn: map.MapRunArn,
      ResultFiles: {
        // Locally a succeeded child's outcome is in the tracking table; its results are not written.
        SUCCEEDED: [],
        FAILED: [{ Key: `runs/r1/results/${mapRunId}/FAILED_0.json`, Size: expect.any(Number) }],
        PENDING: [],
      },
    });
    const failed = (await readJson(manifest.ResultFiles.FAILED![0]!.Key)) as Record<string, unknown>[];
    expect(failed).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Error: 'ExtractError',
        ExecutionArn: expect.stringMatching(/:execution:extract-pipeline-local\/FanOut:/),
        StateMachineArn: expect.stringMatching(/:stateMachine:extract-pipeline-local\/FanOut$/),
        InputDetails: { Included: true },
      }),
    ]);
    expect(JSON.parse(failed[0]!.Input as string)).toEqual({ item: 'item-2', index: 2, tag: 't' });
  });

  it('stops the children when the execution is stopped, and starts no more', async () => {
    // Prepare
    const stop = new AbortController();
    let started = 0;
    // Each job ends once the execution is stopped (as a service answers late), or the interpreter would wait.
    const work = () => {
      started++;
      if (started === 2) setImmediate(() => stop.abort());
      return new Promise((resolve) => stop.signal.addEventListener('abort', () => resolve({})));
    };
    const ended: Logged[] = [];

    // Act
    const result = await run(fanOut({ MaxConcurrency: 2 }), { items: items(6) }, work, {
      signal: stop.signal,
      onEvent: (event) => {
        if ((event as Logged).type === 'ExecutionAborted') ended.push(event as Logged);
      },
    });

    // Assess
    expect(result.status).toBe('ABORTED');
    expect(started).toBe(2);
    expect(ended.filter((e) => e.execution).map((e) => e.execution!.index)).toEqual([0, 1]);
  });

  it('passes the children’s events to onEvent and keeps them only when asked', async () => {
    const seen: Logged[] = [];

    const result = await run(fanOut(), { items: items(2) }, async () => ({}), {
      keepEvents: false,
      onEvent: (event) => seen.push(event as Logged),
    });

    expect(result.events).toEqual([]);
    expect(seen.filter((e) => e.type === 'StateEntered' && e.execution?.map === 'Fan Out')).toHaveLength(2);
    expect(seen.map((e) => e.type)).toEqual(expect.arrayContaining(['MapRunStarted', 'MapRunSucceeded']));
  });
});

describe('reading the items', () => {
  async function anObject(key: string, body: string): Promise<void> {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }

  const all = (items: { length: number; item(index: number): unknown }) =>
    Array.from({ length: items.length }, (_, index) => items.item(index));

  it('returns the JSON array, cut to MaxItems when the reader sets it', async () => {
    await anObject(
      'runs/r1/tables.json',
      ' [ {"table": "a,]}", "n": [1, {"x": "\\"]"}]}, {"table": "b"} ,\n{"table": "c"}, 4, "e"] ',
    );

    const every = await readMapItems(s3, { Bucket: BUCKET, Key: 'runs/r1/tables.json' });
    const two = await readMapItems(s3, { Bucket: BUCKET, Key: 'runs/r1/tables.json' }, 2);

    expect(all(every)).toEqual([
      { table: 'a,]}', n: [1, { x: '"]' }] },
      { table: 'b' },
      { table: 'c' },
      4,
      'e',
    ]);
    expect(all(two)).toEqual([{ table: 'a,]}', n: [1, { x: '"]' }] }, { table: 'b' }]);
  });

  it('reads an empty array as no items', async () => {
    await anObject('runs/empty/tables.json', '[ ]');

    expect((await readMapItems(s3, { Bucket: BUCKET, Key: 'runs/empty/tables.json' })).length).toBe(0);
  });

  it.each([
    ['a missing object', undefined, 'NoSuchKey'],
    ['an object that is not JSON', 'tables: [a]', 'not JSON'],
    ['a JSON object instead of an array', '{"tables": []}', 'not a JSON array'],
    ['an array cut off', '[{"table": "a"}, {"table": ', 'not JSON'],
  ])('fails with States.ItemReaderFailed on %s, naming the object', async (_label, body, reason) => {
    const key = `runs/bad-${reason.replace(/\W/g, '')}/tables.json`;
    if (body !== undefined) await anObject(key, body);

    const reading = readMapItems(s3, { Bucket: BUCKET, Key: key });

    await expect(reading).rejects.toMatchObject({ name: 'States.ItemReaderFailed' });
    await expect(reading).rejects.toThrow(`s3://${BUCKET}/${key}`);
    await expect(reading).rejects.toThrow(reason);
  });

  it('fails the Map Run with States.ItemReaderFailed on a malformed item, when its turn comes', async () => {
    // Prepare
    await anObject('runs/malformed/tables.json', '[{"table": "a"}, {table: b}, {"table": "c"}]');
    // (ItemsPath undefined: the definition is read as JSON, which leaves it out.)
    const definition = fanOut({
      ItemsPath: undefined,
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { Bucket: BUCKET, Key: 'runs/malformed/tables.json' },
      },
      MaxConcurrency: 1,
    });
    const done: number[] = [];

    // Act
    const result = await run(definition, {}, async (payload) => done.push(payload.index));

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(result.cause).toContain(`s3://${BUCKET}/runs/malformed/tables.json: not JSON (item 1`);
    expect(done).toEqual([0]);
  });
});
