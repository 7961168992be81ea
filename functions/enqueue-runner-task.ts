// Enqueue Runner Task: the state machine invokes this with lambda:invoke.waitForTaskToken; it only queues the task
// and returns, so no Lambda waits while a runner works. The task token comes back via the task-runner endpoint.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { documentClient } from './clients/dynamodb';
import { logger } from './powertools';
import { parseEnqueueRequest } from './lib/task-runner/enqueue-request';
import { attemptIdFor } from './lib/task-runner/task-object';
import { enqueueTask } from './lib/task-runner/enqueue-task';
import { loadTaskRunnerConfig } from './lib/task-runner/task-runner-config';

const { tableName } = loadTaskRunnerConfig(process.env);

export const run = async (event: unknown) => {
  const task = await enqueueTask(parseEnqueueRequest(event), { documentClient, tableName, now: Date.now });
  logger.info('Runner task queued', { taskId: task.taskId, runId: task.runId, table: task.table });
  return {
    taskId: task.taskId,
    attemptId: attemptIdFor(task),
    workerGroup: task.workerGroup,
    status: task.status,
  };
};

export const handler = middy(run).use(injectLambdaContext(logger, { clearState: true }));
