// The scheduled reclaimer, as deployed (functions/reclaim-expired-tasks.ts): it takes back a task whose runner
// fell silent even when no runner polls, against the real queue table on dynalite. Step Functions has no local
// implementation, so its API is stubbed at the SDK boundary to receive the failure of a task out of attempts.
import { SendTaskFailureCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { claimNextQueuedTask, enqueueTask, getTask } from '../../functions/lib/task-runner/task-queue';
import { createDocumentClient } from '../../functions/clients/dynamodb';
import { createTaskQueueTable } from '../../local/stack/create-resources';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localDynamoDbClient,
  startDynamoDb,
  type Emulator,
} from '../../local/stack/emulators';

const TABLE = 'reclaim-schedule-queue';
const ELEVEN_MINUTES_AGO = () => Date.now() - 11 * 60_000;

let dynamo: Emulator;
let deps: { documentClient: ReturnType<typeof createDocumentClient>; tableName: string; now: () => number };
let run: () => Promise<{ requeued: number; failed: number }>;
const sfn = mockClient(SFNClient);

beforeAll(async () => {
  dynamo = await startDynamoDb();
  const client = localDynamoDbClient(dynamo.endpoint);
  await createTaskQueueTable(client, TABLE);
  deps = { documentClient: createDocumentClient(client), tableName: TABLE, now: Date.now };
  Object.assign(process.env, {
    TASK_QUEUE_TABLE: TABLE,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  ({ run } = await import('../../functions/reclaim-expired-tasks'));
});

afterAll(async () => {
  sfn.restore();
  await dynamo?.close();
});

/** A task handed to a runner eleven minutes ago that never acknowledged it (the window is 2 minutes). */
async function givenAnAbandonedTask(table: string, attemptLimit: number) {
  await enqueueTask(
    {
      taskToken: `token-${table}`,
      runId: 'run-1',
      table,
      attempt: 1,
      workerGroup: `group-${table}`,
      command: 'true',
      fields: {},
      reportProgressTimeoutSeconds: 900,
      attemptLimit,
    },
    { ...deps, now: ELEVEN_MINUTES_AGO },
  );
  const claimed = await claimNextQueuedTask(`group-${table}`, 'gone-runner', {
    ...deps,
    now: ELEVEN_MINUTES_AGO,
  });
  if (!claimed) throw new Error('the task was not claimed');
  return claimed;
}

it('re-queues a silent runner task as a new attempt with no runner polling', async () => {
  const abandoned = await givenAnAbandonedTask('sales.orders', 3);

  const result = await run();

  expect(result.requeued).toBeGreaterThanOrEqual(1);
  const old = await getTask(abandoned.taskId, deps);
  expect(old).toMatchObject({ status: 'REQUEUED' });
  const successor = await getTask(old!.requeuedAs!, deps);
  expect(successor).toMatchObject({ status: 'QUEUED', attempt: 2, table: 'sales.orders' });
});

it('fails a silent runner task out of attempts through Step Functions', async () => {
  sfn.on(SendTaskFailureCommand).resolves({});
  const abandoned = await givenAnAbandonedTask('crm.accounts', 1);

  const result = await run();

  expect(result.failed).toBeGreaterThanOrEqual(1);
  expect(await getTask(abandoned.taskId, deps)).toMatchObject({ status: 'FAILED' });
  const sent = sfn.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input);
  expect(sent).toEqual([
    expect.objectContaining({ taskToken: 'token-crm.accounts', error: 'TaskLeaseExpired' }),
  ]);
});
