// Reclaim Expired Runner Tasks: every minute, takes back the tasks whose runner fell silent. Polls reclaim too, but
// when every runner of a group is gone nobody polls: without this schedule such a table would wait for its
// state's 24-hour timeout instead of being re-queued, or failed once its attempts are spent. The same minute it
// measures the runner queues (RunnerQueueDepth and LiveRunners, per worker group and in total) for the dashboard.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { documentClient } from './clients/dynamodb';
import { stepFunctionsCallbacks as callbacks } from './clients/step-functions-callbacks';
import { lazy } from './lib/lazy';
import { reclaimExpiredTasks } from './lib/task-runner/reclaim-expired-tasks';
import { measureRunnerQueues, type RunnerQueueMetrics } from './lib/task-runner/runner-queue-metrics';
import { readTaskRunnerSettings } from './lib/task-runner/task-runner-config';
import { logger, metrics } from './powertools';

const settings = lazy(() => readTaskRunnerSettings());

/** One metric line per group (its own WorkerGroup dimension), the totals on the handler's own flush. */
function publishRunnerQueueMetrics(measured: RunnerQueueMetrics): void {
  metrics.addMetric('RunnerQueueDepth', MetricUnit.Count, measured.totals.queued);
  metrics.addMetric('LiveRunners', MetricUnit.Count, measured.totals.liveRunners);
  for (const group of measured.groups) {
    for (const [name, value] of [
      ['RunnerQueueDepth', group.queued],
      ['LiveRunners', group.liveRunners],
    ] as const) {
      const single = metrics.singleMetric();
      single.addDimension('WorkerGroup', group.workerGroup);
      single.addMetric(name, MetricUnit.Count, value);
    }
  }
}

export async function run() {
  const deps = { documentClient, tableName: settings().tableName, now: Date.now };
  const result = await reclaimExpiredTasks({ ...deps, callbacks });
  if (result.requeued.length > 0 || result.failed.length > 0)
    logger.info('Expired runner tasks reclaimed', { ...result });
  try {
    publishRunnerQueueMetrics(await measureRunnerQueues(deps));
  } catch (error) {
    // The metrics are for the dashboard: reclaiming is what this schedule must not miss.
    logger.error('Runner queues not measured', { error: error as Error });
  }
  return { requeued: result.requeued.map((r) => r.taskId), failed: result.failed.map((f) => f.taskId) };
}

export const handler = middy(run)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
