// Reclaim Expired Runner Tasks: every minute, takes back the tasks whose runner fell silent. Polls reclaim too, but
// when every runner of a group is gone nobody polls: without this schedule such a table would wait for its
// state's 24-hour timeout instead of being re-queued, or failed once its attempts are spent.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { documentClient } from './clients/dynamodb';
import { sfnClient } from './clients/sfn';
import { lazy } from './lib/lazy';
import { createStepFunctionsCallbacks } from './lib/task-runner/task-callbacks';
import { reclaimExpiredTasks } from './lib/task-runner/reclaim-expired-tasks';
import { readTaskRunnerSettings } from './lib/task-runner/task-runner-config';
import { logger } from './powertools';

const settings = lazy(() => readTaskRunnerSettings());
const callbacks = createStepFunctionsCallbacks(sfnClient);

export async function run() {
  const result = await reclaimExpiredTasks({
    documentClient,
    tableName: settings().tableName,
    now: Date.now,
    callbacks,
  });
  if (result.requeued.length > 0 || result.failed.length > 0)
    logger.info('Expired runner tasks reclaimed', { ...result });
  return { requeued: result.requeued.map((r) => r.taskId), failed: result.failed.map((f) => f.taskId) };
}

export const handler = middy(run).use(injectLambdaContext(logger, { clearState: true }));
