// Starts an extract run when a config file is uploaded under the stage's trigger prefix (via EventBridge).
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { EventBridgeEvent } from 'aws-lambda';
import { sfnClient } from './clients/sfn';
import { readUploadTriggerSettings } from './lib/config/stage-environment';
import { lazy } from './lib/lazy';
import { startRunForUpload, type ObjectCreatedDetail, type UploadRunResult } from './lib/runs/upload-trigger';
import { logger } from './powertools';

const settings = lazy(() => readUploadTriggerSettings());

export async function run(
  event: EventBridgeEvent<'Object Created', ObjectCreatedDetail>,
): Promise<UploadRunResult> {
  const { stateMachineArn, triggerPrefix } = settings();
  if (!event?.detail?.object?.key)
    throw new TypeError('detail.object.key: missing from the S3 Object Created event');
  logger.appendKeys({ configKey: event.detail.object.key });
  const result = await startRunForUpload(
    (request) => sfnClient.send(new StartExecutionCommand(request)),
    stateMachineArn,
    triggerPrefix,
    event.detail,
  );
  logger.info(result.started ? 'Extract run started' : 'No run started', { ...result });
  return result;
}

export const handler = middy(run).use(injectLambdaContext(logger, { clearState: true }));
