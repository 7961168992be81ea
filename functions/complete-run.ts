// Complete Extract Run: closes the run record with its counts and returns the execution's summary. Record Failed
// Run calls it too, with `failed_run`, to close a run whose config manager failed or died.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { documentClient } from './clients/dynamodb';
import { readTrackingSettings } from './lib/config/stage-settings';
import { lazy } from './lib/lazy';
import { recordFailedRun, type FailedRunInput, type FailedRunSummary } from './lib/runs/record-failed-run';
import { completeRun, type CompletedRun, type RunInfo } from './lib/tracking/tracking-store';
import { logger } from './powertools';

export type CompleteRunInput = { run: RunInfo } | { failed_run: FailedRunInput };

const settings = lazy(() => readTrackingSettings());

export async function run(input: CompleteRunInput): Promise<CompletedRun | FailedRunSummary> {
  const store = { db: documentClient, tableName: settings().trackingTable };
  if ('failed_run' in input) {
    const failed = await recordFailedRun(store, input.failed_run, new Date());
    logger.appendKeys({ runId: failed.run_id });
    const { run_id: _runId, ...details } = failed;
    logger.warn('Extract run failed before its tables ran', details);
    return failed;
  }
  logger.appendKeys({ runId: input.run.run_id });
  const completed = await completeRun(store, input.run, new Date());
  const { run_id: _runId, failed_tables: _failedTables, ...counts } = completed;
  logger.info('Extract run completed', counts);
  return completed;
}

export const handler = middy(run).use(injectLambdaContext(logger, { clearState: true }));
