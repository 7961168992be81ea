// Cancel Extract Run: the target of the EventBridge rule on this stage's "Step Functions Execution Status Change"
// events with status ABORTED (serverless.yml). A stopped execution runs no state again, Complete Extract Run
// included, so this closes its run: unfinished tables CANCELLED, runner tasks withdrawn, run record CANCELLED.
// Serve mode calls it with the same event when it aborts a local execution.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { documentClient } from './clients/dynamodb';
import { s3Client } from './clients/s3';
import { readCancelRunSettings } from './lib/config/stage-environment';
import { lazy } from './lib/lazy';
import { cancelRun, type CancelRunResult } from './lib/runs/cancel-run';
import { runIdOf } from './lib/runs/run-id';
import { logger, metrics } from './powertools';

/** The event's detail, as the Step Functions developer guide documents it ("EventBridge for Step Functions"). */
export interface ExecutionStatusChange {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  startDate?: number;
  stopDate?: number | null;
  /** The execution's input as a JSON string; left out (null) when input and output exceed 248 KB together. */
  input?: string | null;
}

export type ExecutionAbortedEvent = EventBridgeEvent<
  'Step Functions Execution Status Change',
  ExecutionStatusChange
>;

const settings = lazy(() => readCancelRunSettings());

function parseInput(input: string | null | undefined): unknown {
  try {
    return input ? JSON.parse(input) : undefined;
  } catch {
    return undefined;
  }
}

export async function run(event: ExecutionAbortedEvent): Promise<CancelRunResult | { ignored: string }> {
  const detail = event.detail;
  // The rule matches ABORTED only; anything else reaching here is not this function's to close.
  if (detail?.status !== 'ABORTED') return { ignored: `status ${String(detail?.status)}` };
  // The config manager keys the run the same way: the event's run_id, else the execution's name.
  const runId = runIdOf(parseInput(detail.input), detail.name);
  logger.appendKeys({ runId, executionName: detail.name });
  const stoppedAt = new Date(detail.stopDate ?? Date.now()).toISOString();
  const { trackingTable, taskQueueTable } = settings();
  const result = await cancelRun(runId, `Execution ${detail.name} was stopped at ${stoppedAt}`, {
    store: { db: documentClient, tableName: trackingTable },
    s3: s3Client,
    taskQueue: { documentClient, tableName: taskQueueTable },
    now: () => new Date(),
  });
  if (result.outcome === 'cancelled') {
    const { cancelled_tables: tables, ...rest } = result;
    logger.info('Extract run cancelled', { ...rest, cancelledTables: tables.length });
    metrics.addMetric('RunsCancelled', MetricUnit.Count, 1);
    metrics.addMetric('TablesCancelled', MetricUnit.Count, tables.length);
  } else logger.info('Nothing to cancel', { ...result });
  return result;
}

export const handler = middy(run)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
