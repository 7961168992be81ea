import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

jest.setTimeout(30_000);

const ROOT = join(__dirname, '..', '..');

// A child Node process loads the handler module as the Lambda runtime does (its own environment, no jest module
// registry), and this checks that the deployed wiring (middy, logger middleware, env settings) answers in the Data
// Pipeline protocol.
describe('the deployed task-runner handler', () => {
  it('answers an unsigned request with a 403 AccessDeniedException in the JSON 1.1 error shape', async () => {
    // Prepare
    const script = `
      const { handler } = require('./functions/task-runner-api.ts');
      const event = {
        version: '2.0', rawPath: '/', rawQueryString: '',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'DataPipeline.PollForTask' },
        requestContext: { http: { method: 'POST' }, requestId: 'req-1' },
        body: Buffer.from('{"workerGroup":"g"}').toString('base64'), isBase64Encoded: true,
      };
      const context = { getRemainingTimeInMillis: () => 120000, functionName: 'taskRunnerApi', awsRequestId: 'req-1' };
      handler(event, context).then((result) => process.stdout.write('RESULT' + JSON.stringify(result)));
    `;

    // Act
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', 'tsx/cjs', '-e', script], {
      cwd: ROOT,
      env: {
        ...process.env,
        TASK_QUEUE_TABLE: 'task-queue',
        AWS_REGION: 'us-east-1',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
    });

    // Assess
    const result = JSON.parse(stdout.slice(stdout.indexOf('RESULT') + 'RESULT'.length));
    expect(result).toMatchObject({
      statusCode: 403,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'AccessDeniedException' },
    });
    expect(JSON.parse(result.body)).toEqual({
      __type: 'AccessDeniedException',
      message: 'The request signature is not valid.',
    });
  });
});
