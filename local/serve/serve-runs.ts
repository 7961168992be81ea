// The runs of a serve instance: started by an upload under the trigger prefix (through the deployed upload
// trigger's own logic, so the execution name comes from key + version and a repeated event starts nothing) or
// by `npm start` against serve. Executions run in this process; their records live in the tracking table.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  startRunForUpload,
  type ObjectCreatedDetail,
  type StartExecution,
  type UploadRunResult,
} from '../../functions/lib/runs/upload-trigger';
import type { JobScript } from '../runtime/job-backend';
import { LocalTaskTokens } from '../runtime/task-token-bridge';
import { readRunRecord } from '../summary';
import type { LocalStack } from '../stack/local-stack';
import { runIdOf } from '../../functions/lib/runs/run-id';
import { newExecutionName, runLocally, uploadConfig } from '../runtime/run-locally';
import type { RemoteRunRequest, RemoteRunStarted, RemoteRunState } from './serve-client';
import { runnerWorkerGroups } from '../stack/task-runner-endpoint';

/** Config files sent by `npm start --config` land here, outside the trigger prefix, so they start no run. */
const START_CONFIG_PREFIX = 'local-runs/';

/** What Step Functions answers when an execution name was already used. */
class ExecutionAlreadyExists extends Error {
  override name = 'ExecutionAlreadyExists';
}

export class ServeRuns {
  private readonly runs = new Map<string, RemoteRunState>();
  private readonly finished: Promise<void>[] = [];
  /** Per running execution: how to stop it, and the end of its run (records closed). */
  private readonly stoppers = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** One set of task tokens for every run, answered by serve mode's task-runner endpoint. */
  readonly taskTokens = new LocalTaskTokens();
  /** Set once the task-runner endpoint is up: grants the local runner key the worker groups a run needs. */
  grantWorkerGroups?: (workerGroups: string[]) => Promise<unknown>;

  constructor(
    private readonly stack: LocalStack,
    private readonly script: JobScript,
    private readonly log: (line: string) => void,
  ) {}

  /** StartExecution with Step Functions' rule: a name is used once, also across serve restarts. */
  readonly startExecution: StartExecution = async ({ name, input }) => {
    const runId = runIdOf(JSON.parse(input) as Record<string, unknown>, name);
    if (this.runs.has(name) || (await readRunRecord(this.stack.store, runId)))
      throw new ExecutionAlreadyExists(`Execution ${name} already exists`);
    this.launch(name, JSON.parse(input) as Record<string, unknown>, this.script);
    return {
      executionArn: `${this.stack.names.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
    };
  };

  private launch(executionName: string, input: Record<string, unknown>, script: JobScript): string {
    const runId = runIdOf(input, executionName);
    const state: RemoteRunState = { status: 'RUNNING', runId, retries: {} };
    this.runs.set(executionName, state);
    this.log(`Run ${runId} started (execution ${executionName})`);
    const controller = new AbortController();
    const done = this.grantRunnerGroups(input)
      .then(() =>
        runLocally(this.stack, {
          input,
          executionName,
          script,
          taskTokens: this.taskTokens,
          signal: controller.signal,
          keepEvents: false,
        }),
      )
      .then(({ summary, retries }) => {
        Object.assign(state, { status: summary.status, runId: summary.runId, retries });
        if (summary.error) Object.assign(state, { error: summary.error, cause: summary.cause });
        const { counts } = summary;
        this.log(
          `Run ${summary.runId} ${summary.status}: ${counts.succeeded}/${counts.tables} tables succeeded` +
            (summary.error ? ` (${summary.error}: ${summary.cause ?? ''})` : ''),
        );
      })
      .catch((error: Error) => {
        Object.assign(state, { status: 'FAILED', error: error.name, cause: error.message });
        this.log(`Run ${runId} could not run: ${error.name}: ${error.message}`);
      })
      .finally(() => this.stoppers.delete(executionName));
    this.stoppers.set(executionName, { controller, done });
    this.finished.push(done);
    return runId;
  }

  /** The run's config, read as the config manager will read it, decides which worker groups the key needs. */
  private async grantRunnerGroups(input: Record<string, unknown>): Promise<void> {
    if (!this.grantWorkerGroups) return;
    const { configBucket, defaultConfigKey } = this.stack.names;
    const key = (await this.configKeyOf(input)) ?? defaultConfigKey;
    try {
      const object = await this.stack.s3.send(new GetObjectCommand({ Bucket: configBucket, Key: key }));
      const groups = runnerWorkerGroups((await object.Body?.transformToString()) ?? '', key);
      if (groups.length > 0) await this.grantWorkerGroups(groups);
    } catch (error) {
      // The run still starts: a config that cannot be read fails there, with the config manager's reason.
      this.log(`Runner key not granted the worker groups of ${key}: ${(error as Error).message}`);
    }
  }

  /** The event's config_key, else a re-run's earlier run's: the config the config manager will read. */
  private async configKeyOf(input: Record<string, unknown>): Promise<string | undefined> {
    if (typeof input.config_key === 'string') return input.config_key;
    if (typeof input.rerun_of !== 'string') return undefined;
    // An unknown run is the config manager's to report; here it only means no worker groups to grant.
    return (await readRunRecord(this.stack.store, input.rerun_of).catch(() => undefined))?.config_key;
  }

  /** What the deployed upload trigger does for an EventBridge "Object Created" event. */
  async onObjectCreated(detail: ObjectCreatedDetail): Promise<UploadRunResult | undefined> {
    const { names } = this.stack;
    if (detail.bucket.name !== names.configBucket) return undefined;
    // The EventBridge rule's prefix filter: other keys never reach the trigger.
    if (!detail.object.key.startsWith(names.triggerPrefix)) return undefined;
    const result = await startRunForUpload(
      this.startExecution,
      names.stateMachineArn,
      names.triggerPrefix,
      detail,
    );
    if (!result.started) this.log(`Upload of ${detail.object.key}: no run started (${result.reason})`);
    return result;
  }

  async startFromCommand(request: RemoteRunRequest): Promise<RemoteRunStarted> {
    const executionName = newExecutionName();
    const event = { ...request.event };
    if (request.config) {
      const key = `${START_CONFIG_PREFIX}${executionName}/${request.config.name}`;
      await uploadConfig(this.stack.s3, this.stack.names.configBucket, key, request.config.text);
      event.config_key = key;
    }
    const runId = this.launch(executionName, event, request.mock ?? this.script);
    return { executionName, runId };
  }

  /**
   * StopExecution for a run started here: aborts the execution and resolves once the run is closed (its tables
   * CANCELLED by the same handler the deployed stopped-run rule invokes). Undefined when no execution of this
   * instance runs it.
   */
  async cancel(runId: string): Promise<(RemoteRunState & { executionName: string }) | undefined> {
    for (const [executionName, state] of this.runs) {
      const stopper = this.stoppers.get(executionName);
      if (state.runId !== runId || state.status !== 'RUNNING' || !stopper) continue;
      this.log(`Run ${runId}: stopping execution ${executionName}`);
      stopper.controller.abort();
      await stopper.done;
      return { ...state, executionName };
    }
    return undefined;
  }

  state(executionName: string): RemoteRunState | undefined {
    return this.runs.get(executionName);
  }

  /** Executions started here that have not ended. */
  runningCount(): number {
    return [...this.runs.values()].filter((run) => run.status === 'RUNNING').length;
  }

  /** Resolves once every execution started here has ended. */
  async drain(): Promise<void> {
    await Promise.all(this.finished);
  }
}
