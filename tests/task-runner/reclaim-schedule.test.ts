// The scheduled reclaimer, as deployed (functions/reclaim-expired-tasks.ts): it takes back a task whose runner
// fell silent even when no runner polls, against the real queue table on dynalite. Step Functions has no local
// implementation, so its API is stubbed at the SDK boundary to receive the failure of a task out of attempts.
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

const ELEVEN_MINUTES_AGO = () => Date.now() - 11 * 60_000;

type Deps = { documentClient: ReturnType<typeof createDocumentClient>; tableName: string; now: () => number };
type ReclaimRun = () => Promise<{ requeued: string[]; failed: string[] }>;

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

/**
 * Each test gets its own queue table and a fresh load of the handler reading it, so results are exact. The
 * Step Functions stub is made from the same fresh load of the SDK the handler uses.
 */
async function aReclaimFunctionWithItsOwnTable() {
  const tableName = `reclaim-schedule-${++tables}`;
  const client = localDynamoDbClient(dynamo.endpoint);
  await createTaskQueueTable(client, tableName);
  process.env.TASK_QUEUE_TABLE = tableName;
  let loaded: { run: ReclaimRun; sfnModule: typeof import('@aws-sdk/client-sfn') } | undefined;
  await jest.isolateModulesAsync(async () => {
    const sfnModule = await import('@aws-sdk/client-sfn');
    const { run } = await import('../../functions/reclaim-expired-tasks');
    loaded = { run, sfnModule };
  });
  const { run, sfnModule } = loaded!;
  const sfn = mockClient(sfnModule.SFNClient);
  sfn.on(sfnModule.SendTaskFailureCommand).resolves({});
  const deps: Deps = { documentClient: createDocumentClient(client), tableName, now: Date.now };
  const failuresSent = () =>
    sfn.commandCalls(sfnModule.SendTaskFailureCommand).map((call) => call.args[0].input);
  return { deps, run, failuresSent };
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
