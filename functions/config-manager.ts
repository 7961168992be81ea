// Extract Config Manager: reads the extract config, builds each table's job request and writes them to S3 for the
// Distributed Map to read.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { documentClient } from './clients/dynamodb';
import { s3Client } from './clients/s3';
import { readStageSettings } from './lib/config/stage-settings';
import { lazy } from './lib/lazy';
import { prepareExtractRun, type ConfigManagerInput, type PreparedRun } from './lib/runs/prepare-extract-run';
import { logger } from './powertools';

const settings = lazy(() => readStageSettings());

export async function run(input: ConfigManagerInput): Promise<PreparedRun> {
  logger.appendKeys({ executionName: input.execution_name });
  const prepared = await prepareExtractRun(input, {
    s3: s3Client,
    settings: settings(),
    store: { db: documentClient, tableName: settings().trackingTable },
  });
  logger.appendKeys({ runId: prepared.run.run_id });
  logger.info('Extract run prepared', {
    tables: prepared.table_count,
    items: `s3://${prepared.items.bucket}/${prepared.items.key}`,
  });
  return prepared;
}

export const handler = middy(run).use(injectLambdaContext(logger, { clearState: true }));
