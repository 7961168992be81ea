// Handlers put what an invocation is about (run id, table, config key) on the shared logger with appendKeys, so
// every log line of that invocation carries it and none of the next one does. The deployed upload trigger is the
// handler under test: its only AWS call, StartExecution, is stubbed at the SDK boundary.
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { ObjectCreatedDetail } from '../../../functions/lib/runs/upload-trigger';

const sfn = mockClient(SFNClient);
const context = {
  functionName: 'startRunFromUpload',
  awsRequestId: 'request-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

function uploaded(key: string): EventBridgeEvent<'Object Created', ObjectCreatedDetail> {
  return {
    detail: { bucket: { name: 'config-bucket' }, object: { key, 'version-id': 'v1' } },
  } as EventBridgeEvent<'Object Created', ObjectCreatedDetail>;
}

/** The JSON log lines the logger writes while `act` runs. */
async function logLines(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await act();
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('log keys of an invocation', () => {
  let handler: (typeof import('../../../functions/start-run-from-upload'))['handler'];
  let logger: (typeof import('../../../functions/powertools'))['logger'];

  beforeAll(async () => {
    process.env.STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:extract-pipeline-dev';
    process.env.TRIGGER_PREFIX = 'extract-config/';
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    ({ handler } = await import('../../../functions/start-run-from-upload'));
    ({ logger } = await import('../../../functions/powertools'));
  });

  afterAll(() => {
    delete process.env.STATE_MACHINE_ARN;
    delete process.env.TRIGGER_PREFIX;
    delete process.env.POWERTOOLS_LOG_LEVEL;
  });

  beforeEach(() => {
    sfn.reset();
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:aws:states:::execution:extract-pipeline-dev:x' });
  });

  it("puts the invocation's key on its log line, and clears it when the invocation ends", async () => {
    // Act
    const lines = await logLines(async () => {
      await handler(uploaded('extract-config/nightly.yml'), context);
      logger.info('after the invocation');
    });

    // Assess
    const started = lines.find((line) => line.message === 'Extract run started');
    const after = lines.find((line) => line.message === 'after the invocation');
    expect(started).toMatchObject({ configKey: 'extract-config/nightly.yml', started: true });
    expect(after).toBeDefined();
    expect(after).not.toHaveProperty('configKey');
  });

  it('carries the next invocation its own key, not the previous one', async () => {
    // Act
    const lines = await logLines(async () => {
      await handler(uploaded('extract-config/first.yml'), context);
      await handler(uploaded('elsewhere/second.yml'), context);
    });

    // Assess
    expect(lines.map((line) => [line.message, line.configKey])).toEqual([
      ['Extract run started', 'extract-config/first.yml'],
      ['No run started', 'elsewhere/second.yml'],
    ]);
  });
});
