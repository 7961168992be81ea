// The upload trigger: one S3 Object Created event, at most one execution. Step Functions has no local
// implementation, so its API is stubbed at the SDK boundary and the test asserts on the command sent.
import {
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import {
  executionNameForUpload,
  startRunForUpload,
  type ObjectCreatedDetail,
  type StartExecution,
} from '../../../functions/lib/runs/upload-trigger';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:extract-pipeline-dev';
const EXECUTION_ARN_PREFIX = 'arn:aws:states:eu-west-1:123456789012:execution:extract-pipeline-dev:';
const PREFIX = 'extract-config/';
const VALID_NAME = /^[A-Za-z0-9_-]{1,80}$/;

function upload(key: string, version?: string): ObjectCreatedDetail {
  return {
    bucket: { name: 'extract-pipeline-dev-config' },
    object: { key, 'version-id': version, size: 120 },
  };
}

describe('execution name for an upload', () => {
  it.each([
    ['a plain key', 'extract-config/nightly.yml'],
    ['spaces and dots', 'extract-config/team a/nightly v2.final.yaml'],
    ['non-ASCII characters', 'extract-config/données-été.json'],
    ['a 1024-character key', `extract-config/${'n'.repeat(1009)}`],
    ['a key ending in a slash', 'extract-config/'],
  ])('is at most 80 characters of [A-Za-z0-9_-] for %s', (_label, key) => {
    expect(executionNameForUpload(key, '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY')).toMatch(VALID_NAME);
  });

  it('starts with the file name, without its extension, for a reader', () => {
    expect(executionNameForUpload('extract-config/nightly.yml', 'v1')).toMatch(/^s3-nightly-[0-9a-f]{20}$/);
  });

  it('is the same for the same key and version', () => {
    expect(executionNameForUpload('extract-config/nightly.yml', 'v1')).toBe(
      executionNameForUpload('extract-config/nightly.yml', 'v1'),
    );
  });

  it('differs for another version of the same key', () => {
    expect(executionNameForUpload('extract-config/nightly.yml', 'v2')).not.toBe(
      executionNameForUpload('extract-config/nightly.yml', 'v1'),
    );
  });

  it('differs for the same file name in another folder', () => {
    expect(executionNameForUpload('extract-config/a/nightly.yml', 'v1')).not.toBe(
      executionNameForUpload('extract-config/b/nightly.yml', 'v1'),
    );
  });
});

describe('starting a run for an upload', () => {
  const sfn = mockClient(SFNClient);
  const client = new SFNClient({ region: 'eu-west-1' });
  // The same adapter as the deployed handler's: the module's port, onto the (stubbed) SDK client.
  const startExecution: StartExecution = (request) => client.send(new StartExecutionCommand(request));

  beforeEach(() => sfn.reset());

  it('starts one execution with the config key and version, triggered by s3', async () => {
    // Prepare
    const name = executionNameForUpload('extract-config/nightly.yml', 'v1');
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: `${EXECUTION_ARN_PREFIX}${name}`, startDate: new Date(0) });

    // Act
    const result = await startRunForUpload(
      startExecution,
      STATE_MACHINE_ARN,
      PREFIX,
      upload('extract-config/nightly.yml', 'v1'),
    );

    // Assess
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input).toEqual({ stateMachineArn: STATE_MACHINE_ARN, name, input: expect.any(String) });
    expect(JSON.parse(input.input!)).toEqual({
      config_key: 'extract-config/nightly.yml',
      config_version: 'v1',
      trigger: 's3',
    });
    expect(result).toEqual({
      started: true,
      execution_name: name,
      execution_arn: `${EXECUTION_ARN_PREFIX}${name}`,
    });
  });

  it.each([
    ['an unversioned bucket (version id "null")', 'null'],
    ['an event without a version id', undefined],
  ])('leaves config_version out for %s', async (_label, version) => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${EXECUTION_ARN_PREFIX}x` });

    await startRunForUpload(
      startExecution,
      STATE_MACHINE_ARN,
      PREFIX,
      upload('extract-config/nightly.yml', version),
    );

    const sent = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!);
    expect(sent).toEqual({ config_key: 'extract-config/nightly.yml', trigger: 's3' });
  });

  it('starts nothing new for a duplicated event, saying why', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    // Act
    const result = await startRunForUpload(
      startExecution,
      STATE_MACHINE_ARN,
      PREFIX,
      upload('extract-config/nightly.yml', 'v1'),
    );

    // Assess
    expect(result).toEqual({
      started: false,
      execution_name: executionNameForUpload('extract-config/nightly.yml', 'v1'),
      reason: 'duplicate event: this upload already started a run',
    });
  });

  it('asks for the same execution name when the same upload is delivered twice', async () => {
    sfn
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: `${EXECUTION_ARN_PREFIX}first` })
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const event = upload('extract-config/nightly.yml', 'v1');

    const first = await startRunForUpload(startExecution, STATE_MACHINE_ARN, PREFIX, event);
    const second = await startRunForUpload(startExecution, STATE_MACHINE_ARN, PREFIX, event);

    expect([first.started, second.started]).toEqual([true, false]);
    const names = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
    expect(names).toHaveLength(2);
    expect(names[1]).toBe(names[0]);
  });

  it('starts nothing for a key outside the trigger prefix', async () => {
    const result = await startRunForUpload(
      startExecution,
      STATE_MACHINE_ARN,
      PREFIX,
      upload('other/nightly.yml', 'v1'),
    );

    expect(result).toEqual({
      started: false,
      execution_name: executionNameForUpload('other/nightly.yml', 'v1'),
      reason: 'key outside extract-config/',
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('lets any other Step Functions error through, for the Lambda retry and its dead-letter queue', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));

    const attempt = startRunForUpload(
      startExecution,
      STATE_MACHINE_ARN,
      PREFIX,
      upload('extract-config/nightly.yml', 'v1'),
    );

    await expect(attempt).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });
});
