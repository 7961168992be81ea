// Task-runner endpoint (Lambda function URL, AWS JSON 1.1): self-hosted runners poll extract tasks with unmodified
// Data Pipeline SDK clients. A function URL, not API Gateway, fronts it because a 90 s long poll outlives API
// Gateway's ~29 s integration timeout.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { documentClient } from './clients/dynamodb';
import { sfnClient } from './clients/sfn';
import { lazy } from './lib/lazy';
import { createTaskRunnerApi } from './lib/task-runner/handle-request';
import { realSleep } from './lib/task-runner/poll-for-task';
import { createStepFunctionsCallbacks } from './lib/task-runner/step-functions-callbacks';
import { readTaskRunnerSettings } from './lib/task-runner/task-runner-config';
import { logger } from './powertools';

const api = lazy(() => {
  const settings = readTaskRunnerSettings();
  return createTaskRunnerApi({
    documentClient,
    tableName: settings.tableName,
    region: settings.region,
    callbacks: createStepFunctionsCallbacks(sfnClient),
    now: Date.now,
    sleep: realSleep,
    pollWindowMs: settings.pollWindowMs,
    pollIntervalMs: settings.pollIntervalMs,
    logger,
  });
});

export async function run(event: LambdaFunctionURLEvent, context: Context) {
  return api()(event, { remainingTimeMs: context.getRemainingTimeInMillis() });
}

export const handler = middy(run).use(injectLambdaContext(logger, { clearState: true }));
