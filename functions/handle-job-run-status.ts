// Handle Extract Job Run Status: records one table's outcome in the tracking table.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { documentClient } from './clients/dynamodb';
import { s3ClientOnFirstUse } from './clients/s3-on-first-use';
import { readTrackingSettings } from './lib/config/stage-environment';
import type { JobError, TableJob } from './lib/jobs/table-job';
import { describeJobOutcome } from './lib/jobs/job-outcome';
import { isConfigValidationFailure, outcomeMetrics } from './lib/jobs/outcome-metrics';
import { lazy } from './lib/lazy';
import { takesLease, releaseTableLease } from './lib/tracking/table-leases';
import { recordTableOutcome, type RecordedOutcome, type RunInfo } from './lib/tracking/tracking-store';
import { moveWatermark, settleWatermark } from './lib/watermarks/settle-watermark';
import { logger, metrics } from './powertools';

/** The Map iteration's state when it reaches the status handler. */
export interface JobRunStatusInput {
  run: RunInfo;
  table: TableJob;
  /** The job state's .sync result, on success. */
  result?: unknown;
  /** The Catch's error, on failure. */
  error?: JobError;
}

const settings = lazy(() => readTrackingSettings());

export async function run(input: JobRunStatusInput): Promise<RecordedOutcome> {
  logger.appendKeys({ runId: input.run?.run_id, table: input.table?.table });
  // A config-time problem (missing table, bad fields) is carried on the item; a job failure comes from Catch.
  const error = input.error ?? input.table.error;
  const outcome = describeJobOutcome(input.table.job_type, input.result, error);
  // A table refused before it ran (bad config, missing table) made no attempt.
  if (!input.error && input.table.error) outcome.attempts = 0;
  const store = { db: documentClient, tableName: settings().trackingTable };
  const now = new Date();
  const watermark = await settleWatermark(
    {
      table: input.table.table,
      run_id: input.run.run_id,
      watermark: input.table.watermark,
      status: outcome.status,
      reported_by_runner: outcome.reported_watermark,
    },
    // Only a Glue, EMR or ECS watermark table reads a report.
    { s3: s3ClientOnFirstUse, store },
  );
  Object.assign(outcome, watermark.fields);
  if (outcome.watermark_warning) logger.warn('Watermark not moved', { reason: outcome.watermark_warning });
  const recorded = await recordTableOutcome(store, input.run, input.table, outcome, now);
  // After the record, so that a watermark can lag its table's SUCCEEDED record (a retry catches it up), never lead.
  await moveWatermark(store, watermark, recorded.status, now);
  // A refused table never took a lease (a TableAlreadyRunning one is the other run's): only the holder releases.
  if (takesLease(input.table)) await releaseTableLease(store, input.table.table, input.run.run_id);
  // Counted once per table: a retried invocation whose write was already applied counts nothing again.
  if (recorded.applied) {
    metrics.addDimension('JobType', input.table.job_type);
    for (const metric of outcomeMetrics(outcome, now))
      metrics.addMetric(metric.name, MetricUnit[metric.unit], metric.value);
    if (isConfigValidationFailure(outcome))
      metrics.singleMetric().addMetric('ConfigValidationErrors', MetricUnit.Count, 1);
  }
  logger.info('Table outcome recorded', {
    status: recorded.status,
    applied: recorded.applied,
    error: outcome.error,
  });
  return recorded;
}

export const handler = middy(run)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
