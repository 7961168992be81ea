// Complete Extract Run: closes the run record with its counts, reports a run with failed tables to the stage's
// alarm topic, and returns the execution's summary. Record Failed Run calls it too, with `failed_run`, to close a
// run whose config manager failed or died.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { documentClient } from './clients/dynamodb';
import { s3ClientOnFirstUse } from './clients/s3-on-first-use';
import { readCompleteRunSettings } from './lib/config/stage-environment';
import { lazy } from './lib/lazy';
import { recordFailedRun, type FailedRunInput, type FailedRunSummary } from './lib/runs/record-failed-run';
import { completeRun, type CompletedRun } from './lib/runs/complete-run';
import type { RunInfo } from './lib/tracking/tracking-store';
import { logger, metrics } from './powertools';

export type CompleteRunInput =
  | { run: RunInfo; /** `$$.Execution.Id`, for the console link. */ execution_arn?: string }
  | { failed_run: FailedRunInput };

const settings = lazy(() => readCompleteRunSettings());
// Only a run with failed tables is published: the SNS client and the notification code are chunks of their own in
// the bundle (serverless.yml, splitting), loaded by the first such run, not at every cold start.
const failurePublisher = lazy(async () => {
  const [{ publishRunFailures }, { snsClient }] = await Promise.all([
    import('./lib/runs/publish-run-failures'),
    import('./clients/sns'),
  ]);
  return { publishRunFailures, snsClient };
});

export async function run(input: CompleteRunInput): Promise<CompletedRun | FailedRunSummary> {
  const store = { db: documentClient, tableName: settings().trackingTable };
  if ('failed_run' in input) {
    const failed = await recordFailedRun(store, s3ClientOnFirstUse, input.failed_run, new Date());
    logger.appendKeys({ runId: failed.run_id });
    const { run_id: _runId, ...details } = failed;
    logger.warn('Extract run failed before its tables ran', details);
    metrics.addMetric('RunsFailedToStart', MetricUnit.Count, 1);
    return failed;
  }
  logger.appendKeys({ runId: input.run.run_id });
  // The run's table list is read (functions/lib/runs/run-tables.ts) only when some table has no record.
  const completed = await completeRun(store, s3ClientOnFirstUse, input.run, new Date());
  const { run_id: _runId, failed_tables: _failedTables, ...counts } = completed;
  logger.info('Extract run completed', counts);
  // FailedTablesPerRun is what the failed-tables alarm compares with the stage's threshold.
  metrics.addMetric('RunsCompleted', MetricUnit.Count, 1);
  metrics.addMetric('FailedTablesPerRun', MetricUnit.Count, completed.failed);

  if (completed.failed === 0) return completed;
  const { stage, region, alarmTopicArn } = settings();
  const { publishRunFailures, snsClient } = await failurePublisher();
  const published = await publishRunFailures(
    completed,
    { stage, region, executionArn: input.execution_arn },
    { sns: snsClient, store, topicArn: alarmTopicArn },
  );
  if ('error' in published) {
    logger.error('Run failures not published to the alarm topic', { error: published.error });
    metrics.addMetric('RunFailureNotificationErrors', MetricUnit.Count, 1);
  } else if (published.published) logger.info('Run failures published', published);
  return completed;
}

export const handler = middy(run)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
