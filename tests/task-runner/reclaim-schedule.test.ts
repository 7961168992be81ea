// The scheduled reclaimer, as deployed (functions/reclaim-expired-tasks.ts): it takes back a task whose runner
// fell silent even when no runner polls, against the real queue table on dynalite. Step Functions has no local
// implementation, so its API is stubbed at the SDK boundary to receive the failure of a task out of attempts.
import { SendTaskFailureCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { claimNextQueuedTask } from '../../functions/lib/task-runner/claim-task';
import { recordTaskProgress } from '../../functions/lib/task-runner/record-task-progress';
import { enqueueTask } from '../../functions/lib/task-runner/enqueue-task';
import { getTask } from '../../functions/lib/task-runner/task-item';
import { createDocumentClient } from '../../functions/clients/dynamodb';
import { createTaskQueueTable } from '../../local/stack/create-resources';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localDynamoDbClient,
  startDynamoDb,
  type Emulator,
} from '../../local/stack/emulators';

// Each test loads the handler and its SDK clients afresh; on a loaded machine with a cold transform cache (CI) that
// took past Jest's default 5 s. Only a hang reaches this bound.
jest.setTimeout(60_000);

const ELEVEN_MINUTES_AGO = () => Date.now() - 11 * 60_000;

type Deps = { documentClient: ReturnType<typeof createDocumentClient>; tableName: string; now: () => number };
type ReclaimRun = () => Promise<{ requeued: string[]; failed: string[] }>;
type ReclaimHandler = (event: unknown, context: unknown) => Promise<unknown>;

let dynamo: Emulator;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamoDb();
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
});

afterAll(async () => {
  await dynamo?.close();
});

// The handler loads its Step Functions client on first use (functions/clients/step-functions-callbacks.ts), after
// the fresh load below, so from this file's module registry: the stub is made on that SDK.
const sfn = mockClient(SFNClient);
const failuresSent = () => sfn.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input);

/** Each test gets its own queue table and a fresh load of the handler reading it, so results are exact. */
async function aReclaimFunctionWithItsOwnTable({ metrics = false } = {}) {
  const tableName = `reclaim-schedule-${++tables}`;
  const client = localDynamoDbClient(dynamo.endpoint);
  await createTaskQueueTable(client, tableName);
  process.env.TASK_QUEUE_TABLE = tableName;
  // The metrics' output is what one test reads; the others keep stdout for the test report.
  process.env.POWERTOOLS_METRICS_DISABLED = String(!metrics);
  let loaded: { run: ReclaimRun; handler: ReclaimHandler } | undefined;
  await jest.isolateModulesAsync(async () => {
    const { run, handler } = await import('../../functions/reclaim-expired-tasks');
    loaded = { run, handler: handler as ReclaimHandler };
  });
  const { run, handler } = loaded!;
  sfn.reset();
  sfn.on(SendTaskFailureCommand).resolves({});
  const deps: Deps = { documentClient: createDocumentClient(client), tableName, now: Date.now };
  return { deps, run, handler, failuresSent };
}

/** A task handed to a runner eleven minutes ago that acknowledged it once and then fell silent. */
async function givenAnAbandonedTask(deps: Deps, table: string, attemptLimit: number) {
  const longAgo = { ...deps, now: ELEVEN_MINUTES_AGO };
  await enqueueTask(
    {
      taskToken: `token-${table}`,
      runId: 'run-1',
      table,
      workerGroup: `group-${table}`,
      command: 'true',
      fields: {},
      reportProgressTimeoutSeconds: 300,
      attemptLimit,
    },
    longAgo,
  );
  const claimed = await claimNextQueuedTask(`group-${table}`, { accessKeyId: 'gone-runner' }, longAgo);
  if (!claimed) throw new Error('the task was not claimed');
  await recordTaskProgress(claimed.taskId, 'gone-runner', longAgo);
  return claimed;
}

it('re-queues a silent runner task as a new attempt with no runner polling', async () => {
  // Prepare
  const { deps, run } = await aReclaimFunctionWithItsOwnTable();
  const abandoned = await givenAnAbandonedTask(deps, 'sales.orders', 3);

  // Act
  const result = await run();

  // Assess
  expect(result).toEqual({ requeued: [abandoned.taskId], failed: [] });
  const old = await getTask(abandoned.taskId, deps);
  expect(old).toMatchObject({ status: 'REQUEUED' });
  const successor = await getTask(old!.requeuedAs!, deps);
  expect(successor).toMatchObject({ status: 'QUEUED', attempt: 2, table: 'sales.orders' });
});

it('fails a silent runner task out of attempts through Step Functions', async () => {
  // Prepare
  const { deps, run, failuresSent } = await aReclaimFunctionWithItsOwnTable();
  const abandoned = await givenAnAbandonedTask(deps, 'crm.accounts', 1);

  // Act
  const result = await run();

  // Assess
  expect(result).toEqual({ requeued: [], failed: [abandoned.taskId] });
  expect(await getTask(abandoned.taskId, deps)).toMatchObject({ status: 'FAILED' });
  expect(failuresSent()).toEqual([
    expect.objectContaining({ taskToken: 'token-crm.accounts', error: 'TaskLeaseExpired' }),
  ]);
});

it('publishes the runner queue depth and the live runners per worker group and in total, every minute', async () => {
  // Prepare: two tables wait for a runner of wg-metrics, which has none
  const { deps, handler } = await aReclaimFunctionWithItsOwnTable({ metrics: true });
  for (const table of ['a', 'b'])
    await enqueueTask(
      {
        taskToken: `token-metrics-${table}`,
        runId: 'run-2',
        table,
        workerGroup: 'wg-metrics',
        fields: {},
        reportProgressTimeoutSeconds: 300,
        attemptLimit: 1,
      },
      deps,
    );
  const written: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });

  // Act: the schedule's invocation, flushed by logMetrics as in Lambda
  try {
    await handler({}, { functionName: 'reclaimExpiredTasks', awsRequestId: 'r-1' });
  } finally {
    stdout.mockRestore();
  }

  // Assess: embedded-metric-format blobs, one per worker group and metric, and the stage totals
  const blobs = written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map(
      (line) =>
        JSON.parse(line) as Record<string, unknown> & {
          _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] };
        },
    );
  const dimensionsOf = (blob: (typeof blobs)[number]) => blob._aws.CloudWatchMetrics[0]!.Dimensions[0];
  expect(blobs).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ WorkerGroup: 'wg-metrics', RunnerQueueDepth: 2 }),
      expect.objectContaining({ WorkerGroup: 'wg-metrics', LiveRunners: 0 }),
      expect.objectContaining({ RunnerQueueDepth: 2, LiveRunners: 0 }),
    ]),
  );
  const total = blobs.find((blob) => 'RunnerQueueDepth' in blob && !('WorkerGroup' in blob))!;
  expect(dimensionsOf(total)).toEqual(['service', 'stage']);
  const perGroup = blobs.find((blob) => blob.WorkerGroup === 'wg-metrics')!;
  expect(dimensionsOf(perGroup)).toEqual(['service', 'stage', 'WorkerGroup']);
});
