// Extract Config Manager: reads the extract config, builds each table's job request and writes them to S3 for the
// Distributed Map to read.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { documentClient } from './clients/dynamodb';
import { s3Client } from './clients/s3';
import { lazy } from './lib/lazy';
import { logger } from './powertools';
import { prepareExtractRun, type ConfigManagerInput, type PreparedRun } from './lib/runs/prepare-extract-run';
import { readStageSettings } from './lib/config/stage-settings';

const deps = lazy(() => {
  const settings = readStageSettings();
  return { s3: s3Client, settings, store: { db: documentClient, tableName: settings.trackingTable } };
});

async function configManager(input: ConfigManagerInput): Promise<PreparedRun> {
  const prepared = await prepareExtractRun(input, deps());
  logger.info('Extract run prepared', {
    runId: prepared.run.run_id,
    tables: prepared.table_count,
    items: `s3://${prepared.items.bucket}/${prepared.items.key}`,
  });
  return prepared;
}

export const handler = middy(configManager).use(injectLambdaContext(logger, { clearState: true }));
