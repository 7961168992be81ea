// Complete Extract Run tells the stage's alarm topic about a run with failed tables. The run is real (the
// definition in the interpreter, the handlers, the tracking table on dynalite); only SNS, which has no local
// implementation here, is stubbed at the SDK boundary. The message is checked against the run's own records.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { buildFailureNotification, executionConsoleUrl } from '../../functions/lib/runs/failure-notification';
import type { CompletedRun } from '../../functions/lib/runs/complete-run';
import { startPipeline, type Pipeline } from '../helpers/pipeline-harness';

const SAMPLE_CONFIG = readFileSync(join(__dirname, '..', 'events', 'extract-config.yml'), 'utf8');
const ALL_TABLES = ['sales.orders', 'sales.order_lines', 'crm.accounts', 'events.clicks'];
const sns = mockClient(SNSClient);

jest.setTimeout(30_000);

let pipeline: Pipeline;
let topicArn: string;

beforeAll(async () => {
  pipeline = await startPipeline();
  await pipeline.given.anExtractConfig(SAMPLE_CONFIG);
  // The stage's topic as a deploy names it; local mode leaves it unset because it has no SNS.
  topicArn = pipeline.names.environment.ALARM_TOPIC_ARN!;
  process.env.ALARM_TOPIC_ARN = topicArn;
});

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
});

afterAll(async () => {
  sns.restore();
  await pipeline?.close();
});

describe('failure notification', () => {
  it('publishes one message with the counts, each failure and the execution link when tables fail', async () => {
    // Act
    const run = await pipeline.when.theRunStarts(
      { tables_to_extract: ALL_TABLES, run_id: 'two-fail' },
      {
        tables: {
          'sales.orders': {
            fail: { error: 'States.TaskFailed', cause: 'source database refused the login' },
          },
          'crm.accounts': { fail: { error: 'States.TaskFailed', cause: 'Spark driver ran out of memory' } },
        },
      },
      'two-fail-execution',
    );

    // Assess
    expect(run.output).toMatchObject({ run_id: 'two-fail', failed: 2, succeeded: 2 });
    const publishes = sns.commandCalls(PublishCommand);
    expect(publishes).toHaveLength(1);
    const input = publishes[0]!.args[0].input;
    expect(input.TopicArn).toBe(topicArn);
    expect(topicArn).toBe('arn:aws:sns:us-east-1:000000000000:extract-pipeline-local-alarms');
    const executionArn =
      'arn:aws:states:us-east-1:000000000000:execution:extract-pipeline-local:two-fail-execution';
    const records = Object.values(await pipeline.then.tableRecords('two-fail'));
    const built = buildFailureNotification(run.output as CompletedRun, records, {
      stage: 'local',
      region: 'us-east-1',
      executionArn,
    })!;
    expect(input).toEqual({ TopicArn: topicArn, Subject: built.subject, Message: built.message });
    const message = input.Message!;
    expect(message).toContain('Extract run two-fail on stage local ended');
    expect(message).toContain('2 of 4 tables failed');
    expect(message).toContain('Succeeded 2, failed 2, skipped 0.');
    expect(message).toContain(`Execution: ${executionConsoleUrl('us-east-1', executionArn)}`);
    expect(message).toMatch(
      /- crm\.accounts \(emr\): States\.TaskFailed\n {2}.*Spark driver ran out of memory/,
    );
    expect(message).toMatch(/- sales\.orders \(glue\): States\.TaskFailed\n {2}.*source database refused/);
    expect(message).not.toContain('events.clicks');
    expect(message).toContain('npm run status -- --stage local --run-id two-fail');
    expect(message).toContain(
      `Re-run the tables that did not succeed: npx sls invoke stepf --stage local --name extractPipeline --data '{"rerun_of":"two-fail"}'`,
    );
    expect(input.Subject).toBe('[local] extract run two-fail: 2 tables failed');
  });

  it('publishes nothing for a run whose tables all succeeded', async () => {
    const run = await pipeline.when.theRunStarts({ tables_to_extract: ALL_TABLES, run_id: 'none-fail' });

    expect(run.output).toMatchObject({ failed: 0 });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('still completes the run and its records when the publish fails', async () => {
    // Prepare
    sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' }));

    // Act
    const run = await pipeline.when.theRunStarts(
      { tables_to_extract: ['sales.orders'], run_id: 'publish-fails' },
      { tables: { 'sales.orders': { fail: { cause: 'boom' } } } },
    );

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ run_id: 'publish-fails', status: 'FAILED', failed: 1 });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(await pipeline.then.runRecord('publish-fails')).toMatchObject({
      status: 'FAILED',
      failed_count: 1,
    });
  });
});
