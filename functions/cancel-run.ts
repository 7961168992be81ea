// Cancel Extract Run: the target of the EventBridge rule on this stage's "Step Functions Execution Status Change"
// events with status ABORTED, TIMED_OUT or FAILED (serverless.yml). Such an execution runs no state again,
// Complete Extract Run included, so this closes its run: tables without an outcome CANCELLED (stopped) or FAILED
// (timed out, failed), runner tasks withdrawn, leases released, the run record CANCELLED or FAILED. Serve mode and
// npm start call it with the same event when a local execution ends so.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { documentClient } from './clients/dynamodb';
import { s3ClientOnFirstUse } from './clients/s3-on-first-use';
import { readCancelRunSettings } from './lib/config/stage-environment';
import { lazy } from './lib/lazy';
import {
  closeEndedRun,
  runEnding,
  UNCLOSED_EXECUTION_STATUSES,
  type CloseEndedRunResult,
  type UnclosedExecutionStatus,
} from './lib/runs/cancel-run';
import { runOfEndedExecution } from './lib/runs/run-of-ended-execution';
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

export type ExecutionEndedEvent = EventBridgeEvent<
  'Step Functions Execution Status Change',
  ExecutionStatusChange
>;

const settings = lazy(() => readCancelRunSettings());

export async function run(event: ExecutionEndedEvent): Promise<CloseEndedRunResult | { ignored: string }> {
  const detail = event.detail;
  // The rule matches these only; anything else reaching here is not this function's to close.
  const status = detail?.status as UnclosedExecutionStatus;
  if (!UNCLOSED_EXECUTION_STATUSES.includes(status)) return { ignored: `status ${String(detail?.status)}` };
  const { trackingTable, taskQueueTable } = settings();
  const store = { db: documentClient, tableName: trackingTable };
  const runId = await runOfEndedExecution(store, detail);
  logger.appendKeys({ runId, executionName: detail.name, executionStatus: status });
  const endedAt = new Date(detail.stopDate ?? Date.now()).toISOString();
  const result = await closeEndedRun(runId, detail.name, runEnding(status, detail.name, endedAt), {
    store,
    // Read only for a run with tables left without a record (functions/lib/runs/run-tables.ts).
    s3: s3ClientOnFirstUse,
    taskQueue: { documentClient, tableName: taskQueueTable },
    now: () => new Date(),
  });
  if (result.outcome === 'closed') {
    const { closed_tables: tables, ...rest } = result;
    const [runs, tablesMetric] =
      result.status === 'CANCELLED'
        ? ['RunsCancelled', 'TablesCancelled']
        : ['RunsFailedByExecution', 'TablesFailedByExecution'];
    logger.info(`Extract run closed ${result.status}`, { ...rest, closedTables: tables.length });
    metrics.addMetric(runs, MetricUnit.Count, 1);
    metrics.addMetric(tablesMetric, MetricUnit.Count, tables.length);
  } else logger.info('Nothing to close', { ...result });
  return result;
}

export const handler = middy(run)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
