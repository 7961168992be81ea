// Enqueue Runner Task: the state machine invokes this with lambda:invoke.waitForTaskToken; it only queues the task
// and returns, so no Lambda waits while a runner works. The task token comes back via the task-runner endpoint.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { documentClient } from './clients/dynamodb';
import { lazy } from './lib/lazy';
import { parseEnqueueRequest } from './lib/task-runner/enqueue-request';
import { attemptIdFor } from './lib/task-runner/task-object';
import { enqueueTask } from './lib/task-runner/enqueue-task';
import { readTaskRunnerSettings } from './lib/task-runner/task-runner-config';
import { logger } from './powertools';

const settings = lazy(() => readTaskRunnerSettings());

export async function run(event: unknown) {
  const request = parseEnqueueRequest(event);
  logger.appendKeys({ runId: request.runId, table: request.table });
  const task = await enqueueTask(request, {
    documentClient,
    tableName: settings().tableName,
    now: Date.now,
  });
  logger.info('Runner task queued', { taskId: task.taskId });
  return {
    taskId: task.taskId,
    attemptId: attemptIdFor(task),
    workerGroup: task.workerGroup,
    status: task.status,
  };
}

export const handler = middy(run).use(injectLambdaContext(logger, { clearState: true }));
