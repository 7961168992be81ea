// Starts an extract run when a config file is uploaded under the stage's trigger prefix (via EventBridge).
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { EventBridgeEvent } from 'aws-lambda';
import { sfnClient } from './clients/sfn';
import { StageSettingsError } from './lib/errors';
import { logger } from './powertools';
import { startRunForUpload, type ObjectCreatedDetail, type UploadRunResult } from './lib/runs/upload-trigger';

async function startRunFromUpload(
  event: EventBridgeEvent<'Object Created', ObjectCreatedDetail>,
): Promise<UploadRunResult> {
  const stateMachineArn = process.env.STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new StageSettingsError('STATE_MACHINE_ARN: not set in the Lambda environment');
  if (!event?.detail?.object?.key)
    throw new TypeError('detail.object.key: missing from the S3 Object Created event');
  const result = await startRunForUpload(
    (request) => sfnClient.send(new StartExecutionCommand(request)),
    stateMachineArn,
    process.env.TRIGGER_PREFIX ?? '',
    event.detail,
  );
  logger.info(result.started ? 'Extract run started' : 'No run started', {
    key: event.detail.object.key,
    ...result,
  });
  return result;
}

export const handler = middy(startRunFromUpload).use(injectLambdaContext(logger, { clearState: true }));
