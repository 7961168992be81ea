// Complete Extract Run: closes the run record with its counts and returns the execution's summary.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { documentClient } from './clients/dynamodb';
import { lazy } from './lib/lazy';
import { logger } from './powertools';
import { readTrackingTableName } from './lib/tracking-table-name';
import { completeRun, type RunInfo, type RunSummary } from './lib/tracking/tracking-store';

export interface CompleteRunInput {
  run: RunInfo;
}

const store = lazy(() => ({ db: documentClient, tableName: readTrackingTableName() }));

async function completeExtractRun(input: CompleteRunInput): Promise<RunSummary> {
  const summary = await completeRun(store(), input.run, new Date());
  logger.info('Extract run completed', { ...summary, failed_tables: undefined });
  return summary;
}

export const handler = middy(completeExtractRun).use(injectLambdaContext(logger, { clearState: true }));
