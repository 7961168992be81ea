// Task-runner endpoint (Lambda function URL, AWS JSON 1.1): self-hosted runners poll extract tasks with unmodified
// Data Pipeline SDK clients. A function URL, not API Gateway, fronts it because a 90 s long poll outlives API
// Gateway's ~29 s integration timeout.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { documentClient } from './clients/dynamodb';
import { sfnClient } from './clients/sfn';
import { logger } from './powertools';
import { createTaskRunnerApi } from './lib/task-runner/handle-request';
import { realSleep } from './lib/task-runner/poll-for-task';
import { createStepFunctionsCallbacks } from './lib/task-runner/task-callbacks';
import { loadTaskRunnerConfig } from './lib/task-runner/task-runner-config';

const config = loadTaskRunnerConfig(process.env);
const api = createTaskRunnerApi({
  documentClient,
  tableName: config.tableName,
  callbacks: createStepFunctionsCallbacks(sfnClient),
  now: Date.now,
  sleep: realSleep,
  pollWindowMs: config.pollWindowMs,
  pollIntervalMs: config.pollIntervalMs,
  logger,
});

export const run = (event: LambdaFunctionURLEvent, context: Context) =>
  api(event, { remainingTimeMs: context.getRemainingTimeInMillis() });

export const handler = middy(run).use(injectLambdaContext(logger, { clearState: true }));
