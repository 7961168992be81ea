// Runs the real state machine definition in aws-local-stepfunctions. This is the one place that bridges what
// the interpreter cannot do itself: `lambda:invoke` states call the deployed handler code in-process (with the
// Lambda invoke integration's response and error shapes), Glue/EMR/ECS `.sync` states are answered by the
// local job backend, task tokens by the task-token bridge, each Distributed Map by the Distributed Map bridge
// (its children as executions of their own, local-executions.ts), and Task states without a timeout keep none
// (task-timeouts.ts).
import '../polyfills';
import './jsonpath-scalars';
import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ExecutionIdentity } from './child-execution';
import { bridgeDistributedMaps } from './distributed-map-bridge';
import { ServiceError, type JobBackend, type ServiceJobType } from './job-backend';
import { loadDefinition, listTaskStates } from './load-definition';
import type { LambdaHandler } from './lambda-functions';
import {
  LocalExecutions,
  outcomeOfError,
  type ChildEvent,
  type InterpreterEvent,
  type LocalTaskHandlers,
} from './local-executions';
import { removeDefaultTaskTimeouts } from './task-timeouts';
import { LocalTaskTokens, TOKEN_PLACEHOLDER } from './task-token-bridge';
import { validateOnce } from './validated-definitions';
import { StatesRuntimeError } from './states-runtime-error';

/**
 * The interpreter's events: the execution's own, and those of the Distributed Maps' child executions (each with
 * the child's `execution` identity) and Map Runs.
 */
export type PipelineEvent = InterpreterEvent | ChildEvent;

export interface PipelineRun {
  executionName: string;
  /** ABORTED: stopped through `signal`, as StopExecution stops a deployed one. */
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: string;
  cause?: string;
  events: PipelineEvent[];
}

export interface RunPipelineOptions {
  input: unknown;
  executionName?: string;
  /** Handler per function logical id (ConfigManagerLambdaFunction, …). */
  handlers: Record<string, LambdaHandler>;
  backend: JobBackend;
  definition?: StateMachineDefinition;
  /** Replaces every Retry interval: the backoff is the service's business, not the local run's. */
  retryDelayMs?: number;
  /** Answers `.waitForTaskToken` states; the task-runner endpoint must use the same instance as its callbacks. */
  taskTokens?: LocalTaskTokens;
  /** Stops the execution (StopExecution's local stand-in): the run ends ABORTED. */
  signal?: AbortSignal;
  /** Called with each event as it happens (progress display). */
  onEvent?: (event: PipelineEvent) => void;
  /**
   * Keep every event for the result (default true: the tests and the cost bench read them). A run of many
   * tables follows them through onEvent instead: each event holds its state's input and output, several per table.
   */
  keepEvents?: boolean;
  /**
   * Reads a Distributed Map's items (its ItemReader) and writes its results (its ResultWriter). Default: a
   * client like the handlers' own, from the environment (AWS_ENDPOINT_URL_S3 pointing at the local S3), created
   * for the run and closed after it.
   */
  s3?: S3Client;
}

const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

const SERVICE_RESOURCES: Record<string, ServiceJobType> = {
  'arn:aws:states:::glue:startJobRun.sync': 'glue',
  'arn:aws:states:::emr-serverless:startJobRun.sync': 'emr',
  'arn:aws:states:::ecs:runTask.sync': 'ecs',
};

function lambdaContext(functionName: string) {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 300_000,
  };
}

/** Calls a handler as the `lambda:invoke` integration would: `{Payload}` out, errors named by their errorType. */
async function invokeHandler(functionId: string, handler: LambdaHandler, payload: unknown) {
  try {
    const result = await handler(payload, lambdaContext(functionId));
    return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: (result ?? null) as never };
  } catch (error) {
    const { name, message } = error as Error;
    throw new ServiceError(name || 'Error', JSON.stringify({ errorType: name, errorMessage: message }));
  }
}

function invokeLocally(functionId: string, handler: LambdaHandler) {
  return (input: unknown) =>
    invokeHandler(functionId, handler, (input as { Payload?: unknown } | null)?.Payload);
}

/**
 * `lambda:invoke.waitForTaskToken`: the handler gets a freshly minted token in place of the static placeholder,
 * and the state's result is whatever answers that token. The interpreter has no `$$.State.RetryCount` either, so
 * the attempt number is counted here, per run and table, from the state's own calls.
 */
function invokeAndWaitForToken(
  functionId: string,
  handler: LambdaHandler,
  tokens: LocalTaskTokens,
  signal?: AbortSignal,
) {
  const attempts = new Map<string, number>();
  // A stopped execution waits for no token: its token is forgotten (later answers get TaskDoesNotExist) and the
  // state ends with an error that is neither retried (which would queue the table again after the stop) nor
  // caught, so that no timer or closure of the stopped execution is left waiting.
  const stopped = () =>
    new StatesRuntimeError('the execution was stopped while this state waited for its task token');
  return async (input: unknown) => {
    if (signal?.aborted) throw stopped();
    const payload = { ...((input as { Payload?: Record<string, unknown> } | null)?.Payload ?? {}) };
    const { token, answer } = tokens.mint();
    let onAbort!: () => void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        tokens.forget(token);
        reject(stopped());
      };
    });
    aborted.catch(() => undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    for (const [key, value] of Object.entries(payload)) if (value === TOKEN_PLACEHOLDER) payload[key] = token;
    if ('attempt' in payload) {
      const key = `${String(payload.run_id)}/${String(payload.table)}`;
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      payload.attempt = attempt;
    }
    try {
      await invokeHandler(functionId, handler, payload);
      if (signal?.aborted) throw stopped();
      return (await Promise.race([answer, aborted])) as never;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      tokens.forget(token);
    }
  };
}

/** A local handler for every Task state of the deployed definition (those inside Map item processors too). */
export function buildOverrides(definition: StateMachineDefinition, options: RunPipelineOptions) {
  const taskResourceLocalHandlers: LocalTaskHandlers = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const task of listTaskStates(definition)) {
    if (task.retryable) retryIntervalOverrides[task.name] = options.retryDelayMs ?? 0;
    if (task.functionId) {
      const handler = options.handlers[task.functionId];
      if (!handler) throw new Error(`No local handler for ${task.functionId} (state '${task.name}')`);
      taskResourceLocalHandlers[task.name] = (
        task.resource === WAIT_FOR_TASK_TOKEN
          ? invokeAndWaitForToken(
              task.functionId,
              handler,
              options.taskTokens ?? new LocalTaskTokens(),
              options.signal,
            )
          : invokeLocally(task.functionId, handler)
      ) as LocalTaskHandlers[string];
      continue;
    }
    const jobType = SERVICE_RESOURCES[task.resource];
    if (!jobType)
      throw new Error(`State '${task.name}' uses ${task.resource}, which the local runtime cannot run`);
    taskResourceLocalHandlers[task.name] = ((input: Record<string, unknown>) =>
      options.backend.run(jobType, input)) as LocalTaskHandlers[string];
  }
  return { taskResourceLocalHandlers, retryIntervalOverrides };
}

/** The handlers' own S3 client settings, read from the environment when the run starts. */
function s3ClientFromEnvironment(): S3Client {
  return new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });
}

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:extract-pipeline-local';

export async function runPipeline(options: RunPipelineOptions): Promise<PipelineRun> {
  const deployed = options.definition ?? loadDefinition();
  validateOnce(deployed);
  // bridgeDistributedMaps returns a copy, which removeDefaultTaskTimeouts may change in place.
  const bridged = bridgeDistributedMaps(deployed);
  for (const definition of [bridged.definition, ...[...bridged.maps.values()].map((map) => map.processor)])
    removeDefaultTaskTimeouts(definition);
  let ownS3: S3Client | undefined;
  const s3 = () => options.s3 ?? (ownS3 ??= s3ClientFromEnvironment());
  const executionName =
    options.executionName ??
    `local-${new Date()
      .toISOString()
      .replace(/[^0-9]/g, '')
      .slice(0, 14)}-${randomUUID().slice(0, 8)}`;

  const events: PipelineEvent[] = [];
  const keepEvents = options.keepEvents ?? true;
  const deliver = (event: PipelineEvent) => {
    if (keepEvents) events.push(event);
    options.onEvent?.(event);
  };
  const { taskResourceLocalHandlers, retryIntervalOverrides } = buildOverrides(deployed, options);
  // A Distributed Map's own Retry (on its stand-in) waits as little as any other state's.
  for (const mapName of bridged.maps.keys()) retryIntervalOverrides[mapName] = options.retryDelayMs ?? 0;
  const executions = new LocalExecutions({
    bridged,
    handlers: taskResourceLocalHandlers,
    retryIntervalOverrides,
    // Static stand-ins for what the interpreter lacks; the task-token bridge replaces both per call.
    context: { Task: { Token: TOKEN_PLACEHOLDER }, State: { RetryCount: 0 } },
    s3,
    onChildEvent: options.onEvent || keepEvents ? deliver : undefined,
  });
  const identity: ExecutionIdentity = {
    name: executionName,
    arn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${executionName}`,
    stateMachineArn: STATE_MACHINE_ARN,
  };
  // The signal stops the execution and, through its Map Runs, their children.
  const execution = executions.run(bridged.definition, options.input, identity, options.signal);
  if (options.signal?.aborted) execution.abort();
  options.signal?.addEventListener('abort', () => execution.abort(), { once: true });

  const collecting = (async () => {
    for await (const event of execution.eventLogs) deliver(event);
  })();

  try {
    const output = await execution.result;
    await collecting;
    return { executionName, status: 'SUCCEEDED', output, events };
  } catch (error) {
    // A stopped execution's log never ends: its waiting states stay waiting, as nothing resumes them.
    const outcome = outcomeOfError(error);
    if (outcome.status === 'ABORTED' || options.signal?.aborted) {
      // Its children were stopped with it; their last events come before the run's end.
      await executions.idle();
      return { executionName, status: 'ABORTED', events };
    }
    await collecting.catch(() => undefined);
    return {
      executionName,
      status: 'FAILED',
      error: 'error' in outcome ? outcome.error : undefined,
      cause: 'cause' in outcome ? outcome.cause : undefined,
      events,
    };
  } finally {
    ownS3?.destroy();
  }
}
