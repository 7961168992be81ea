// Extract Config Manager: reads the extract config, builds each table's job request and writes them to S3 for the
// Distributed Map to read.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { documentClient } from './clients/dynamodb';
import { s3Client } from './clients/s3';
import { readStageSettings } from './lib/config/stage-settings';
import { lazy } from './lib/lazy';
import { prepareExtractRun, type ConfigManagerInput, type PreparedRun } from './lib/runs/prepare-extract-run';
import { logger, metrics } from './powertools';

const settings = lazy(() => readStageSettings());

export async function run(input: ConfigManagerInput): Promise<PreparedRun> {
  logger.appendKeys({ executionName: input.execution_name });
  let prepared: PreparedRun;
  try {
    prepared = await prepareExtractRun(input, {
      s3: s3Client,
      settings: settings(),
      store: { db: documentClient, tableName: settings().trackingTable },
    });
  } catch (error) {
    // A config file the run could not use at all; a single bad table is counted by the status handler.
    if ((error as Error).name === 'ConfigValidationError')
      metrics.addMetric('ConfigValidationErrors', MetricUnit.Count, 1);
    throw error;
  }
  logger.appendKeys({ runId: prepared.run.run_id });
  metrics.addMetric('RunsStarted', MetricUnit.Count, 1);
  logger.info('Extract run prepared', {
    tables: prepared.table_count,
    quotaGroups: prepared.group_count,
    groups: `s3://${prepared.groups.bucket}/${prepared.groups.key}`,
  });
  return prepared;
}

export const handler = middy(run)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
