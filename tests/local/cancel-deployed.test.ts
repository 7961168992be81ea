// `npm run cancel -- --stage S` against a deployed stage: the tracking table is read through the SDK's default
// chain (pointed at dynalite by AWS_ENDPOINT_URL_DYNAMODB, as any DynamoDB endpoint), and Step Functions, which
// has no local implementation, is stubbed at the SDK boundary. The stopped-run rule's Cancel Extract Run is
// played by closing the run record when StopExecution arrives.
import { PassThrough } from 'node:stream';
import {
  ExecutionDoesNotExist,
  ListStateMachinesCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { exitCodeOf } from '../../cli/command-line';
import { runKey } from '../../functions/lib/tracking/tracking-records';
import { CANCEL_COMMAND, cancelCommand, NOT_CLOSED_IN_TIME } from '../../local/commands/cancel';
import { deployedStageTable, deployedStateMachineName } from '../../local/stack/stage-environment';
import { deployedStagePerFile, runningRunRecord } from './helpers/deployed-stage';

const STAGE = 'dev';
const ACCOUNT_ARN = 'arn:aws:states:eu-west-1:123456789012';
const MACHINE_ARN = `${ACCOUNT_ARN}:stateMachine:${deployedStateMachineName(STAGE)}`;

const stage = deployedStagePerFile(STAGE);
const db = () => stage().db;
const tableName = deployedStageTable(STAGE, 'trackingTable').tableName;
const sfn = mockClient(SFNClient);

beforeEach(() => {
  sfn.reset();
  // Another stage's machine first, on an earlier page: the command must match the name, not take the first.
  sfn
    .on(ListStateMachinesCommand)
    .resolvesOnce({
      stateMachines: [
        {
          name: deployedStateMachineName('prod'),
          stateMachineArn: `${ACCOUNT_ARN}:stateMachine:${deployedStateMachineName('prod')}`,
          type: 'STANDARD',
          creationDate: new Date(),
        },
      ],
      nextToken: 'page-2',
    })
    .resolves({
      stateMachines: [
        {
          name: deployedStateMachineName(STAGE),
          stateMachineArn: MACHINE_ARN,
          type: 'STANDARD',
          creationDate: new Date(),
        },
      ],
    });
});

async function putRunningRun(runId: string): Promise<void> {
  const record = runningRunRecord(runId, '2026-11-26T01:00:00.000Z', { table_count: 2 });
  await db().send(new PutCommand({ TableName: tableName, Item: record }));
}

/** What Cancel Extract Run does to the run record on the ABORTED event (the tables are its own tests'). */
async function closeCancelled(runId: string): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName,
      Key: runKey(runId),
      UpdateExpression: 'SET #status = :cancelled, ended_at = :ended, cancelled_count = :two',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':cancelled': 'CANCELLED',
        ':ended': '2026-11-26T01:05:00.000Z',
        ':two': 2,
      },
    }),
  );
}

async function cancel(args: string[], sleeps: number[] = []) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const main = (argv: string[], output: Parameters<typeof cancelCommand>[1]) =>
    cancelCommand(argv, output, {
      sfn: new SFNClient({ region: 'eu-west-1' }),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
  const code = await exitCodeOf(CANCEL_COMMAND, main, [...args, '--stage', STAGE], { stdout, stderr });
  return { code, stdout: out, stderr: err };
}

test('stops the run’s own execution and exits 0 once the stopped-run rule has closed the record', async () => {
  await putRunningRun('deployed-1');
  sfn.on(StopExecutionCommand).callsFake(async () => {
    await closeCancelled('deployed-1');
    return { stopDate: new Date() };
  });

  const result = await cancel(['--run-id', 'deployed-1', '--json']);

  expect(result.code).toBe(0);
  const stops = sfn.commandCalls(StopExecutionCommand);
  expect(stops).toHaveLength(1);
  expect(stops[0]!.args[0].input).toEqual({
    executionArn: `${ACCOUNT_ARN}:execution:${deployedStateMachineName(STAGE)}:execution-of-deployed-1`,
    error: 'RunCancelled',
    cause: 'npm run cancel -- --run-id deployed-1',
  });
  expect(JSON.parse(result.stdout)).toMatchObject({ runId: 'deployed-1', status: 'CANCELLED' });
});

test('exits 3, naming the function to look at, when the record is not closed within --wait', async () => {
  await putRunningRun('deployed-2');
  sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
  const sleeps: number[] = [];

  const result = await cancel(['--run-id', 'deployed-2', '--wait', '5'], sleeps);

  expect(result.code).toBe(NOT_CLOSED_IN_TIME);
  expect(result.stderr).toContain('run deployed-2 is not closed after 5 s');
  expect(result.stderr).toContain('cancel-run function');
  // Read at 0, 2, 4 and 6 s: the record is read once more after the last pause before giving up.
  expect(sleeps).toEqual([2000, 2000, 2000]);
});

test('an execution that no longer exists is an error that names it, exit 1', async () => {
  await putRunningRun('deployed-3');
  sfn
    .on(StopExecutionCommand)
    .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));

  const result = await cancel(['--run-id', 'deployed-3']);

  expect(result.code).toBe(1);
  expect(result.stderr).toContain(
    `run deployed-3: no execution ${ACCOUNT_ARN}:execution:${deployedStateMachineName(STAGE)}:execution-of-deployed-3 to stop`,
  );
});

test('a stage whose state machine is not deployed, and a run that already ended, stop nothing', async () => {
  await putRunningRun('deployed-4');
  sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
  const notDeployed = await cancel(['--run-id', 'deployed-4']);
  expect(notDeployed.code).toBe(1);
  expect(notDeployed.stderr).toContain(`stage ${STAGE}: no state machine ${deployedStateMachineName(STAGE)}`);

  await closeCancelled('deployed-4');
  const ended = await cancel(['--run-id', 'deployed-4']);
  expect(ended.code).toBe(1);
  expect(ended.stderr).toContain('run deployed-4 already ended CANCELLED');

  const missing = await cancel(['--run-id', 'never-ran']);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain(`--run-id: no run never-ran in ${tableName} (stage ${STAGE})`);
  expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
});
