// Every field has the Data Pipeline API's limits, and input at or over them is answered 400 (or 413 for a body
// over the endpoint's cap), never 500; what is stored and sent to Step Functions fits what they accept.
import { request } from 'node:http';
import {
  PollForTaskCommand,
  ReportTaskProgressCommand,
  ReportTaskRunnerHeartbeatCommand,
  SetTaskStatusCommand,
} from '@aws-sdk/client-data-pipeline';
import type { DataPipelineClient } from '@aws-sdk/client-data-pipeline';
import { MAX_REQUEST_BODY_BYTES } from '../../functions/lib/task-runner/handle-request';
import { MAX_CAUSE_LENGTH } from '../../functions/lib/task-runner/task-callbacks';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';

jest.setTimeout(20_000);

const long = (length: number, character = 'x') => character.repeat(length);

describe('request limits', () => {
  let endpoint: Endpoint;
  let client: DataPipelineClient;
  let group = 0;
  let workerGroup: string;

  beforeAll(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 100 });
  });
  afterAll(() => endpoint.close());

  beforeEach(async () => {
    workerGroup = `wg-limits-${++group}`;
    client = endpoint.client(await endpoint.issueCredential([workerGroup, long(1024, 'é')]));
  });

  async function aLeasedTask() {
    const queued = await endpoint.enqueue({ workerGroup });
    const { taskObject } = await client.send(new PollForTaskCommand({ workerGroup }));
    return { queued, taskId: taskObject!.taskId! };
  }

  it('refuses a 450 KB errorMessage with a 400 naming the field, and the task stays leased', async () => {
    // Prepare
    const { queued, taskId } = await aLeasedTask();

    // Act
    const attempt = client.send(
      new SetTaskStatusCommand({ taskId, taskStatus: 'FALSE', errorMessage: long(450 * 1024) }),
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidRequestException',
      $metadata: { httpStatusCode: 413 },
    });
    const overLimit = client.send(
      new SetTaskStatusCommand({ taskId, taskStatus: 'FALSE', errorMessage: long(MAX_CAUSE_LENGTH + 1) }),
    );
    await expect(overLimit).rejects.toMatchObject({
      name: 'InvalidRequestException',
      $metadata: { httpStatusCode: 400 },
      message: expect.stringContaining("'errorMessage'"),
    });
    expect(await endpoint.task(taskId)).toMatchObject({ status: 'LEASED' });
    expect(endpoint.callbacks.outcomes(queued.taskToken)).toEqual([]);
  });

  it('sends Step Functions a cause within 32,768 characters for a failure at every field limit', async () => {
    // Prepare
    const { queued, taskId } = await aLeasedTask();

    // Act
    await client.send(
      new SetTaskStatusCommand({
        taskId,
        taskStatus: 'FAILED',
        errorId: long(1024, 'E'),
        errorMessage: long(MAX_CAUSE_LENGTH, '"'),
        errorStackTrace: `${long(1000)} the end`,
      }),
    );

    // Assess
    const [failure] = endpoint.callbacks.outcomes(queued.taskToken) as { error: string; cause: string }[];
    expect(failure!.error).toHaveLength(256);
    expect(failure!.cause.length).toBeLessThanOrEqual(MAX_CAUSE_LENGTH);
    expect(JSON.parse(failure!.cause)).toMatchObject({ taskId, reason: expect.stringMatching(/ the end$/) });
    expect((await endpoint.task(taskId))?.outcome).toMatchObject({ cause: failure!.cause });
  });

  it('answers a taskId of the protocol maximum (2,048 characters) with TaskNotFoundException, not a 500', async () => {
    // Act
    const answers = await Promise.allSettled([
      client.send(new ReportTaskProgressCommand({ taskId: long(2048) })),
      client.send(new SetTaskStatusCommand({ taskId: long(2048, 'é'), taskStatus: 'FINISHED' })),
    ]);

    // Assess
    const notFound = {
      status: 'rejected',
      reason: expect.objectContaining({
        name: 'TaskNotFoundException',
        $metadata: expect.objectContaining({ httpStatusCode: 400 }),
      }),
    };
    expect(answers).toEqual([notFound, notFound]);
  });

  it('takes a heartbeat with a runner id and worker group at the protocol maximum in multi-byte characters', async () => {
    // Act
    const response = await client.send(
      new ReportTaskRunnerHeartbeatCommand({
        taskrunnerId: long(1024, 'é'),
        workerGroup: long(1024, 'é'),
        hostname: long(1024, 'é'),
      }),
    );

    // Assess
    expect(response.terminate).toBe(false);
  });

  it('hands out a task of a worker group at the protocol maximum in multi-byte characters', async () => {
    // Prepare
    const queued = await endpoint.enqueue({ workerGroup: long(1024, 'é') });

    // Act
    const { taskObject } = await client.send(new PollForTaskCommand({ workerGroup: long(1024, 'é') }));

    // Assess
    expect(taskObject?.taskId).toBe(queued.taskId);
  });

  it('refuses a body over the cap with 413 where a function URL delivered it whole (the deployed path)', async () => {
    // Act: the handler's own entry, as the function URL calls it, with a body just over the cap.
    const result = await endpoint.server.api({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/',
      rawQueryString: '',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'DataPipeline.SetTaskStatus' },
      requestContext: { http: { method: 'POST', path: '/' }, requestId: 'req-big' },
      body: Buffer.alloc(MAX_REQUEST_BODY_BYTES + 1, 'x').toString('base64'),
      isBase64Encoded: true,
    } as unknown as Parameters<typeof endpoint.server.api>[0]);

    // Assess
    expect(result).toMatchObject({
      statusCode: 413,
      headers: { 'x-amzn-errortype': 'InvalidRequestException' },
    });
  });

  it('refuses a body over the cap with 413 before reading it, by its Content-Length', async () => {
    // Act: the client declares a huge body but sends only its first kilobyte.
    const answer = await new Promise<number>((resolve, reject) => {
      const sent = request(`${endpoint.endpoint}/`, {
        method: 'POST',
        headers: { 'content-length': String(50 * 1024 * 1024), 'content-type': 'application/x-amz-json-1.1' },
      });
      sent.on('response', (response) => resolve(response.statusCode ?? 0));
      sent.on('error', reject);
      sent.write(long(1024));
    });

    // Assess
    expect(answer).toBe(413);
  });

  it('refuses a chunked body with 413 once it passes the cap, without reading the rest', async () => {
    // Act: no Content-Length; the client keeps sending until the endpoint answers.
    let written = 0;
    const answer = await new Promise<number>((resolve, reject) => {
      const sent = request(`${endpoint.endpoint}/`, {
        method: 'POST',
        headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/x-amz-json-1.1' },
      });
      let answered = false;
      sent.on('response', (response) => {
        answered = true;
        resolve(response.statusCode ?? 0);
      });
      sent.on('error', (error) => (answered ? undefined : reject(error)));
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (!answered && written < 20 * MAX_REQUEST_BODY_BYTES) {
          written += chunk.length;
          if (!sent.write(chunk)) return void sent.once('drain', pump);
        }
      };
      pump();
    });

    // Assess
    expect(answer).toBe(413);
    expect(written).toBeLessThan(20 * MAX_REQUEST_BODY_BYTES);
  });
});
