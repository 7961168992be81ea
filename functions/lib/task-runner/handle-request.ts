// The task-runner endpoint behind a Lambda function URL (payload format 2.0): authenticate, route by X-Amz-Target,
// validate, run the operation, and answer in the AWS JSON 1.1 protocol. The deployed handler and the local server
// both call createTaskRunnerApi, so tests exercise the code that is deployed.
import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { pollForTask } from './poll-for-task';
import { InvalidRequestException, RequestTooLargeException, toProtocolError } from './protocol-errors';
import { reportTaskProgress } from './report-task-progress';
import { getActiveRunnerCredential } from './runner-credentials';
import type { Caller } from './runner-credentials';
import { reportTaskRunnerHeartbeat } from './runner-heartbeats';
import { setTaskStatus } from './set-task-status';
import type { TaskCallbacks } from './task-callbacks';
import type { TaskQueueDeps } from './task-item';
import { isOperationName, validateInput } from './validate-request';
import { AuthenticationFailed, verifySigV4 } from './verify-sigv4';

export const CONTENT_TYPE = 'application/x-amz-json-1.1';
/**
 * The largest body the endpoint reads. The largest legal request is a SetTaskStatus at every field's limit
 * (taskId 2,048 + errorId 1,024 + errorMessage 32,768 + errorStackTrace 1,024 characters), at most 6 bytes
 * each when JSON-escaped: about 216 KiB. ReportTaskProgress `fields`, which the model leaves unbounded, share it.
 */
export const MAX_REQUEST_BODY_BYTES = 256 * 1024;
const TARGET_PREFIX = 'DataPipeline.';
/** Time kept back from the Lambda timeout so a long poll still answers before the function is cut off. */
export const RESPONSE_MARGIN_MS = 5_000;

export interface TaskRunnerApiDeps extends TaskQueueDeps {
  callbacks: TaskCallbacks;
  pollWindowMs: number;
  pollIntervalMs: number;
  /** The endpoint's region: requests must be signed for it. */
  region: string;
  sleep: (ms: number) => Promise<void>;
  logger?: Pick<Logger, 'warn' | 'info' | 'error'>;
}

export interface InvocationInfo {
  /** The Lambda's remaining time; absent when there is no Lambda (local server). */
  remainingTimeMs?: number;
  /** Aborted when the client closed the connection (local server); a function URL never tells. */
  signal?: AbortSignal;
}

export type TaskRunnerResult = Exclude<LambdaFunctionURLResult, string>;
export type TaskRunnerApi = (
  event: LambdaFunctionURLEvent,
  info?: InvocationInfo,
) => Promise<TaskRunnerResult>;

function decodeBody(event: LambdaFunctionURLEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

function parseQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const existing = query[key];
    query[key] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}

function lowerCaseHeaders(headers: LambdaFunctionURLEvent['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

async function authenticate(
  event: LambdaFunctionURLEvent,
  headers: Record<string, string>,
  body: Buffer,
  deps: TaskRunnerApiDeps,
): Promise<Caller> {
  let workerGroups: string[] = [];
  const { accessKeyId } = await verifySigV4(
    {
      method: event.requestContext.http.method,
      path: event.rawPath || '/',
      query: parseQuery(event.rawQueryString ?? ''),
      headers,
      body,
    },
    async (keyId) => {
      const credential = await getActiveRunnerCredential(keyId, deps);
      workerGroups = credential?.workerGroups ?? [];
      return credential?.secretAccessKey;
    },
    { now: new Date(deps.now()), region: deps.region },
  );
  return { accessKeyId, workerGroups };
}

export function requestTooLarge(): TaskRunnerResult {
  return errorResult(
    new RequestTooLargeException(`The request body is larger than ${MAX_REQUEST_BODY_BYTES} bytes.`),
    randomUUID(),
  );
}

function errorResult(error: unknown, requestId: string): TaskRunnerResult {
  const { statusCode, type, message } = toProtocolError(error);
  return {
    statusCode,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId, 'x-amzn-errortype': type },
    body: JSON.stringify({ __type: type, message }),
  };
}

function parseJson(body: Buffer): unknown {
  try {
    return body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new InvalidRequestException('The request body is not valid JSON.');
  }
}

export function createTaskRunnerApi(deps: TaskRunnerApiDeps): TaskRunnerApi {
  return async (event, info = {}): Promise<TaskRunnerResult> => {
    const requestId = event.requestContext?.requestId ?? randomUUID();
    const headers = lowerCaseHeaders(event.headers);
    const target = headers['x-amz-target'] ?? '';
    try {
      const body = decodeBody(event);
      if (body.length > MAX_REQUEST_BODY_BYTES) return requestTooLarge();
      const caller = await authenticate(event, headers, body, deps);
      if (event.requestContext.http.method !== 'POST' || (event.rawPath || '/') !== '/') {
        throw new InvalidRequestException('Only POST / is supported.');
      }
      if (!(headers['content-type'] ?? '').startsWith(CONTENT_TYPE)) {
        throw new InvalidRequestException(`Content-Type must be ${CONTENT_TYPE}.`);
      }
      const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
      if (!isOperationName(operation)) {
        throw new InvalidRequestException(`Unsupported operation '${target.slice(0, 100)}'.`);
      }
      const json = parseJson(body);
      const output = await runOperation(operation, json, caller, deps, info);
      return {
        statusCode: 200,
        headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId },
        body: JSON.stringify(output),
      };
    } catch (error) {
      const { statusCode, type, message } = toProtocolError(error);
      if (statusCode >= 500)
        deps.logger?.error('Task-runner request failed', { error: error as Error, target });
      else {
        // The caller gets one answer for every authentication failure; the log keeps which check failed.
        const reason = error instanceof AuthenticationFailed ? error.reason : message;
        deps.logger?.info('Task-runner request rejected', { type, reason, target });
      }
      return errorResult(error, requestId);
    }
  };
}

/** The stage's window, cut short so the answer leaves before the Lambda timeout would kill it. */
export function effectivePollWindowMs(configuredMs: number, remainingTimeMs: number | undefined): number {
  if (remainingTimeMs === undefined) return configuredMs;
  return Math.max(0, Math.min(configuredMs, remainingTimeMs - RESPONSE_MARGIN_MS));
}

async function runOperation(
  operation: string,
  json: unknown,
  caller: Caller,
  deps: TaskRunnerApiDeps,
  info: InvocationInfo,
): Promise<object> {
  switch (operation) {
    case 'PollForTask': {
      const pollWindowMs = effectivePollWindowMs(deps.pollWindowMs, info.remainingTimeMs);
      return pollForTask(validateInput('PollForTask', json), caller, {
        ...deps,
        pollWindowMs,
        ...(info.signal ? { signal: info.signal } : {}),
      });
    }
    case 'ReportTaskProgress':
      return reportTaskProgress(validateInput('ReportTaskProgress', json), caller, deps);
    case 'SetTaskStatus':
      return setTaskStatus(validateInput('SetTaskStatus', json), caller, deps);
    case 'ReportTaskRunnerHeartbeat':
      return reportTaskRunnerHeartbeat(validateInput('ReportTaskRunnerHeartbeat', json), caller, deps);
    default:
      throw new InvalidRequestException(`Unsupported operation '${operation}'.`);
  }
}
