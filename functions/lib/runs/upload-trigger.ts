// Turns an S3 "Object Created" event for a config file into exactly one execution. EventBridge delivers at
// least once, so the execution name is derived from the object's key and version: a repeated event asks for
// the same name, and Step Functions refuses to start it twice.
import { createHash } from 'node:crypto';
import { ExecutionAlreadyExists } from '@aws-sdk/client-sfn';

export interface ObjectCreatedDetail {
  bucket: { name: string };
  object: { key: string; 'version-id'?: string; etag?: string; size?: number };
}

// StartExecution as this module needs it: the deployed handler passes the SFN client's, serve mode its own.
export type StartExecution = (request: {
  stateMachineArn: string;
  name: string;
  input: string;
}) => Promise<{ executionArn?: string }>;

export interface UploadRunResult {
  started: boolean;
  execution_name: string;
  execution_arn?: string;
  reason?: string;
}

/** ≤ 80 characters of [A-Za-z0-9-_], as Step Functions requires; readable prefix, unique hash suffix. */
export function executionNameForUpload(key: string, version: string | undefined): string {
  const hash = createHash('sha256')
    .update(`${key}\n${version ?? ''}`)
    .digest('hex')
    .slice(0, 20);
  const file = (key.split('/').pop() ?? key).replace(/\.(ya?ml|json)$/i, '').replace(/[^A-Za-z0-9_-]/g, '-');
  return `s3-${file.slice(0, 80 - 4 - hash.length - 1)}-${hash}`;
}

export async function startRunForUpload(
  startExecution: StartExecution,
  stateMachineArn: string,
  triggerPrefix: string,
  detail: ObjectCreatedDetail,
): Promise<UploadRunResult> {
  const key = detail.object.key;
  const version = detail.object['version-id'];
  const name = executionNameForUpload(key, version);
  // The rule already filters by prefix; this guards against a rule edited by hand.
  if (!key.startsWith(triggerPrefix))
    return { started: false, execution_name: name, reason: `key outside ${triggerPrefix}` };

  const input = {
    config_key: key,
    trigger: 's3',
    ...(version && version !== 'null' ? { config_version: version } : {}),
  };
  try {
    const response = await startExecution({ stateMachineArn, name, input: JSON.stringify(input) });
    return { started: true, execution_name: name, execution_arn: response.executionArn };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
      return {
        started: false,
        execution_name: name,
        reason: 'duplicate event: this upload already started a run',
      };
    }
    throw error;
  }
}
