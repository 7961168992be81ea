// Complete Extract Run: closes the run record with its counts and returns the execution's summary. Record Failed
// Run calls it too, with `failed_run`, to close a run whose config manager failed or died.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { documentClient } from './clients/dynamodb';
import { lazy } from './lib/lazy';
import { logger } from './powertools';
import { recordFailedRun, type FailedRunInput, type FailedRunSummary } from './lib/runs/record-failed-run';
import { readTrackingTableName } from './lib/tracking-table-name';
import { completeRun, type RunInfo, type RunSummary } from './lib/tracking/tracking-store';

export type CompleteRunInput = { run: RunInfo } | { failed_run: FailedRunInput };

const store = lazy(() => ({ db: documentClient, tableName: readTrackingTableName() }));

async function completeExtractRun(input: CompleteRunInput): Promise<RunSummary | FailedRunSummary> {
  if ('failed_run' in input) {
    const failed = await recordFailedRun(store(), input.failed_run, new Date());
    logger.warn('Extract run failed before its tables ran', { ...failed });
    return failed;
  }
  const summary = await completeRun(store(), input.run, new Date());
  logger.info('Extract run completed', { ...summary, failed_tables: undefined });
  return summary;
}

export const handler = middy(completeExtractRun).use(injectLambdaContext(logger, { clearState: true }));
