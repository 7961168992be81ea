// One run of the real definition on a local stack, watched through the interpreter's events and summarized from
// the tracking table. `npm start` (standalone) and serve mode (uploads, `npm start` against serve) both run here.
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { runIdOf } from '../../functions/lib/runs/run-id';
import type { TrackingStore } from '../../functions/lib/tracking/tracking-store';
import { createJobBackend, type JobScript } from './job-backend';
import type { LambdaHandler } from './lambda-functions';
import type { ProgressCounts } from '../progress';
import type { LocalTaskTokens } from './task-token-bridge';
import { runPipeline, type PipelineRun } from './run-pipeline';
import { readRunSummary, type RunSummary } from '../summary';
import { ExecutionTracker } from './execution-tracker';
import type { ExecutionEndedEvent } from '../../functions/cancel-run';

/** Long enough to see a throttled table retried, short enough that the state machine's backoff costs nothing. */
export const LOCAL_RETRY_DELAY_MS = 200;

export interface LocalRunOptions {
  input: Record<string, unknown>;
  executionName?: string;
  script: JobScript;
  retryDelayMs?: number;
  /** Answers runner tables' task tokens; serve mode shares it with its task-runner endpoint. */
  taskTokens?: LocalTaskTokens;
  onProgress?: (counts: ProgressCounts) => void;
  /** Stops the execution (serve mode's `npm run cancel`); the run is then closed as the deployed rule closes it. */
  signal?: AbortSignal;
  /** Keep the interpreter's events in `execution.events` (default true); see RunPipelineOptions.keepEvents. */
  keepEvents?: boolean;
}

export interface LocalRunResult {
  summary: RunSummary;
  execution: PipelineRun;
  retries: Record<string, number>;
}

export function newExecutionName(): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[^0-9]/g, '')
    .slice(0, 14);
  return `local-${stamp}-${randomUUID().slice(0, 8)}`;
}

export async function uploadConfig(s3: S3Client, bucket: string, key: string, text: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text }));
}

/** A summary for an execution that left no run record (it failed before the config manager could write one). */
function executionOnlySummary(runId: string, execution: PipelineRun): RunSummary {
  return {
    runId,
    status: execution.status === 'ABORTED' ? 'CANCELLED' : execution.status,
    executionName: execution.executionName,
    ...(execution.error ? { error: execution.error } : {}),
    ...(execution.cause ? { cause: execution.cause } : {}),
    counts: { tables: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0, pending: 0 },
    tables: [],
  };
}

/** The function the deployed stopped-run rule targets (serverless.yml cancelRun). */
const CANCEL_RUN_FUNCTION = 'CancelRunLambdaFunction';

/**
 * What EventBridge does for a deployed stage when an execution is stopped or fails: the cancel-run handler gets the
 * "Step Functions Execution Status Change" event (status ABORTED or FAILED) and closes the run, if it is still open.
 */
export async function closeStoppedRun(
  stack: { handlers: Record<string, LambdaHandler> },
  input: Record<string, unknown>,
  execution: PipelineRun,
): Promise<void> {
  const handler = stack.handlers[CANCEL_RUN_FUNCTION];
  if (!handler) throw new Error(`No local handler for ${CANCEL_RUN_FUNCTION}`);
  const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:extract-pipeline-local';
  const event: ExecutionEndedEvent = {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`${stateMachineArn.replace(':stateMachine:', ':execution:')}:${execution.executionName}`],
    detail: {
      executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${execution.executionName}`,
      stateMachineArn,
      name: execution.executionName,
      status: execution.status,
      stopDate: Date.now(),
      input: JSON.stringify(input),
    },
  };
  await handler(event, {});
}

export async function runLocally(
  stack: { handlers: Record<string, LambdaHandler>; store: TrackingStore; s3: S3Client },
  options: LocalRunOptions,
): Promise<LocalRunResult> {
  const tracker = new ExecutionTracker();
  const executionName = options.executionName ?? newExecutionName();
  const execution = await runPipeline({
    input: options.input,
    executionName,
    handlers: stack.handlers,
    backend: createJobBackend(options.script, undefined, stack.s3, { recordCalls: false }),
    retryDelayMs: options.retryDelayMs ?? LOCAL_RETRY_DELAY_MS,
    taskTokens: options.taskTokens,
    signal: options.signal,
    keepEvents: options.keepEvents,
    onEvent: (event) => {
      tracker.onEvent(event);
      options.onProgress?.(tracker.counts());
    },
  });
  const runId = tracker.runId ?? runIdOf(options.input, executionName);
  if (execution.status !== 'SUCCEEDED') await closeStoppedRun(stack, options.input, execution);
  const summary =
    (await readRunSummary(stack.store, runId, tracker.retries)) ?? executionOnlySummary(runId, execution);
  return { summary, execution, retries: tracker.retries };
}

/** Exit 0 only when the run and every one of its tables succeeded. */
export function runSucceeded(summary: RunSummary): boolean {
  return (
    summary.status === 'SUCCEEDED' &&
    summary.tables.length > 0 &&
    summary.tables.every((table) => table.status === 'SUCCEEDED')
  );
}
