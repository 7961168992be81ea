// Handle Extract Job Run Status: records one table's outcome in the tracking table.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { documentClient } from './clients/dynamodb';
import type { JobError, TableJob } from './lib/jobs/build-table-jobs';
import { describeJobOutcome } from './lib/jobs/job-outcome';
import { lazy } from './lib/lazy';
import { logger } from './powertools';
import { readTrackingTableName } from './lib/tracking-table-name';
import { recordTableOutcome, type RecordedOutcome, type RunInfo } from './lib/tracking/tracking-store';

/** The Map iteration's state when it reaches the status handler. */
export interface JobRunStatusInput {
  run: RunInfo;
  table: TableJob;
  /** The job state's .sync result, on success. */
  result?: unknown;
  /** The Catch's error, on failure. */
  error?: JobError;
}

const store = lazy(() => ({ db: documentClient, tableName: readTrackingTableName() }));

async function handleJobRunStatus(input: JobRunStatusInput): Promise<RecordedOutcome> {
  // A config-time problem (missing table, bad fields) is carried on the item; a job failure comes from Catch.
  const error = input.error ?? input.table.error;
  const outcome = describeJobOutcome(input.table.job_type, input.result, error);
  // A table refused before it ran (bad config, missing table) made no attempt.
  if (!input.error && input.table.error) outcome.attempts = 0;
  const recorded = await recordTableOutcome(store(), input.run, input.table, outcome, new Date());
  logger.info('Table outcome recorded', { runId: input.run.run_id, ...recorded, error: outcome.error });
  return recorded;
}

export const handler = middy(handleJobRunStatus).use(injectLambdaContext(logger, { clearState: true }));
