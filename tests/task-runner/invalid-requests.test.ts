import {
  ListPipelinesCommand,
  PollForTaskCommand,
  ReportTaskProgressCommand,
  ReportTaskRunnerHeartbeatCommand,
  SetTaskStatusCommand,
} from '@aws-sdk/client-data-pipeline';
import type { DataPipelineClient, TaskStatus } from '@aws-sdk/client-data-pipeline';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';

jest.setTimeout(15_000);

const long = (length: number) => 'x'.repeat(length);

describe('invalid requests', () => {
  let endpoint: Endpoint;
  let client: DataPipelineClient;

  beforeAll(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 100 });
    client = endpoint.client(await endpoint.issueCredential(['wg-valid', long(1024)]));
  });
  afterAll(() => endpoint.close());

  const cases: [string, string, () => Promise<unknown>][] = [
    ['workerGroup', 'missing', () => client.send(new PollForTaskCommand({} as never))],
    ['workerGroup', 'empty', () => client.send(new PollForTaskCommand({ workerGroup: '' }))],
    [
      'workerGroup',
      '1025 characters',
      () => client.send(new PollForTaskCommand({ workerGroup: long(1025) })),
    ],
    [
      'workerGroup',
      'a control character',
      () => client.send(new PollForTaskCommand({ workerGroup: 'wg\u0001' })),
    ],
    [
      'hostname',
      'empty',
      () => client.send(new PollForTaskCommand({ workerGroup: 'wg-valid', hostname: '' })),
    ],
    [
      'hostname',
      '1025 characters',
      () => client.send(new PollForTaskCommand({ workerGroup: 'wg-valid', hostname: long(1025) })),
    ],
    [
      'hostname',
      'a carriage return (outside the pattern)',
      () => client.send(new PollForTaskCommand({ workerGroup: 'wg-valid', hostname: 'host\r' })),
    ],
    [
      'instanceIdentity.document',
      '1025 characters',
      () =>
        client.send(
          new PollForTaskCommand({ workerGroup: 'wg-valid', instanceIdentity: { document: long(1025) } }),
        ),
    ],
    ['taskId', 'empty', () => client.send(new ReportTaskProgressCommand({ taskId: '' }))],
    ['taskId', '2049 characters', () => client.send(new ReportTaskProgressCommand({ taskId: long(2049) }))],
    [
      'fields[0].key',
      'empty',
      () =>
        client.send(new ReportTaskProgressCommand({ taskId: 't', fields: [{ key: '', stringValue: 'v' }] })),
    ],
    [
      'fields[0].stringValue',
      '10241 characters',
      () =>
        client.send(
          new ReportTaskProgressCommand({ taskId: 't', fields: [{ key: 'k', stringValue: long(10241) }] }),
        ),
    ],
    ['taskId', 'missing', () => client.send(new SetTaskStatusCommand({ taskStatus: 'FINISHED' } as never))],
    [
      'taskStatus',
      'not an enum value',
      () => client.send(new SetTaskStatusCommand({ taskId: 't', taskStatus: 'DONE' as TaskStatus })),
    ],
    [
      'errorId',
      '1025 characters',
      () => client.send(new SetTaskStatusCommand({ taskId: 't', taskStatus: 'FAILED', errorId: long(1025) })),
    ],
    [
      'errorId',
      'the reserved Service_ prefix',
      () =>
        client.send(new SetTaskStatusCommand({ taskId: 't', taskStatus: 'FAILED', errorId: 'Service_Oops' })),
    ],
    [
      'errorStackTrace',
      '1025 characters',
      () =>
        client.send(
          new SetTaskStatusCommand({ taskId: 't', taskStatus: 'FAILED', errorStackTrace: long(1025) }),
        ),
    ],
    ['taskrunnerId', 'empty', () => client.send(new ReportTaskRunnerHeartbeatCommand({ taskrunnerId: '' }))],
    [
      'hostname',
      '1025 characters in a runner heartbeat',
      () => client.send(new ReportTaskRunnerHeartbeatCommand({ taskrunnerId: 'r', hostname: long(1025) })),
    ],
  ];

  it.each(cases)('raises InvalidRequestException naming %s when it is %s', async (field, _why, call) => {
    // Act
    const attempt = call();

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidRequestException',
      $metadata: { httpStatusCode: 400 },
      message: expect.stringContaining(`'${field}'`),
    });
  });

  it('accepts a worker group of exactly 1024 characters', async () => {
    // Act
    const response = await client.send(new PollForTaskCommand({ workerGroup: long(1024) }));

    // Assess
    expect(response.taskObject).toBeUndefined();
  });

  it('raises InvalidRequestException for an operation the endpoint does not serve', async () => {
    // Act
    const attempt = client.send(new ListPipelinesCommand({}));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringContaining('DataPipeline.ListPipelines'),
    });
  });
});
