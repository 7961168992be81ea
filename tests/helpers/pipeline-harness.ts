// given/when helpers for running the real state machine definition on the local stack that `npm start` and serve
// mode run (local/stack/local-stack.ts): dynalite and s3rver reached through the real AWS SDK v3 clients by the
// real handler modules, the tables and bucket from resources/, the handlers' environment derived from
// serverless.yml and config/local.yml. Only Glue, EMR and ECS (no local implementation) are answered by the
// scripted job backend.
import { PassThrough } from 'node:stream';
import { DataPipelineClient } from '@aws-sdk/client-data-pipeline';
import type { RunRecord, TableRecord } from '../../functions/lib/tracking/tracking-records';
import { listRunTables, type TrackingStore } from '../../functions/lib/tracking/tracking-store';
import { readWatermarks, type StoredWatermark } from '../../functions/lib/watermarks/watermark-store';
import type { ApprovedCommands } from '../../runner/commands-file';
import { DEFAULT_RUNNER_OPTIONS, ExtractRunner } from '../../runner/extract-runner';
import { createJobBackend, type JobBackend, type JobScript } from '../../local/runtime/job-backend';
import type { LambdaHandler } from '../../local/runtime/lambda-functions';
import type { S3Client } from '@aws-sdk/client-s3';
import { closeStoppedRun, uploadConfig } from '../../local/runtime/run-locally';
import { latestTaskId } from '../../functions/lib/task-runner/handoff-counter';
import { getTask, type TaskItem } from '../../functions/lib/task-runner/task-item';
import { runPipeline, type PipelineRun } from '../../local/runtime/run-pipeline';
import { LocalTaskTokens } from '../../local/runtime/task-token-bridge';
import { LOCAL_REGION } from '../../local/stack/emulators';
import { startLocalStack } from '../../local/stack/local-stack';
import type { StageNames, StageSettings } from '../../local/stack/stage-environment';
import { startLocalTaskRunner } from '../../local/stack/task-runner-endpoint';
import { readRunRecord } from '../../local/summary';

export const WORKER_GROUP = 'onprem-db';
/** Polled only by SDK clients in the tests, never by the harness's runner. */
export const SDK_WORKER_GROUP = 'sdk-clients';

/** The settings the tests' configs and assertions name (their own job names), laid over config/local.yml. */
const TEST_STAGE_SETTINGS = {
  glue: { jobName: 'extract-test', allowedJobNames: ['extract-test', 'extract-test-large'] },
  emr: { applicationId: '00fabc123example', entryPoint: 's3://artifacts/extract.py' },
  ecs: { cluster: 'extract', taskDefinition: 'extract-task:3' },
};

export interface Pipeline {
  /** The stage's resource names and environment, as the handlers see them. */
  names: StageNames;
  /** The tracking table the handlers write, for a test that lays down records of its own. */
  store: TrackingStore;
  /** The stack's S3 (the config bucket, the runs' table lists). */
  s3: S3Client;
  /** Handlers by logical id, each overridable by a test (to inject a failure). */
  handlers: Record<string, LambdaHandler>;
  taskRunnerEndpoint: string;
  /** Granted WORKER_GROUP and SDK_WORKER_GROUP, as `runner-credentials create` would issue. */
  runnerCredentials: { accessKeyId: string; secretAccessKey: string };
  given: {
    anExtractConfig(text: string, key?: string): Promise<void>;
    /** Any object in the config bucket (a job's watermark report, say). */
    anObject(key: string, body: string): Promise<void>;
    /** A self-hosted task runner (the CLI's runner module) polling the endpoint for WORKER_GROUP. */
    /** `concurrency`: tasks the runner works on at once (default 1, as the CLI's). */
    aRunner(
      commands: ApprovedCommands,
      concurrency?: number,
    ): Promise<{ runner: ExtractRunner; stop(): Promise<void> }>;
  };
  when: {
    theRunStarts(
      input: unknown,
      script?: JobScript,
      executionName?: string,
      /** Answers the Glue, EMR and ECS states instead of the scripted backend (a test that watches the calls). */
      backend?: JobBackend,
      /**
       * Stops the execution. A stopped or failed execution's run is then closed as the deployed rule closes it.
       */
      signal?: AbortSignal,
    ): Promise<PipelineRun & { backend: JobBackend }>;
  };
  then: {
    runRecord(runId: string): Promise<RunRecord | undefined>;
    tableRecords(runId: string): Promise<Record<string, TableRecord>>;
    /** The table's stored watermark (functions/lib/watermarks/watermark-store.ts), if it has one. */
    watermark(table: string): Promise<StoredWatermark | undefined>;
    /** The task item of a runner table's latest hand-off, once it was queued. */
    runnerTask(runId: string, table: string): Promise<TaskItem | undefined>;
  };
  close(): Promise<void>;
}

/** `stageSettings` change more of config/local.yml for one test file (its concurrency quotas). */
export async function startPipeline(stageSettings: StageSettings = {}): Promise<Pipeline> {
  const stack = await startLocalStack({ stageSettings: { ...TEST_STAGE_SETTINGS, ...stageSettings } });
  // The task-runner endpoint answers the same token bridge the runner states wait on; short polls keep tests quick.
  const taskTokens = new LocalTaskTokens();
  const taskRunner = await startLocalTaskRunner(stack, {
    callbacks: taskTokens,
    pollWindowMs: 1_000,
    pollIntervalMs: 25,
    workerGroups: [WORKER_GROUP, SDK_WORKER_GROUP],
  }).catch(async (error: unknown) => {
    await stack.close();
    throw error;
  });
  const { accessKeyId, secretAccessKey } = taskRunner.credentials;

  return {
    names: stack.names,
    store: stack.store,
    s3: stack.s3,
    handlers: stack.handlers,
    taskRunnerEndpoint: taskRunner.endpoint,
    runnerCredentials: { accessKeyId, secretAccessKey },
    given: {
      async anExtractConfig(text, key = stack.names.defaultConfigKey) {
        await uploadConfig(stack.s3, stack.names.configBucket, key, text);
      },
      async anObject(key, body) {
        await uploadConfig(stack.s3, stack.names.configBucket, key, body);
      },
      async aRunner(commands, concurrency = DEFAULT_RUNNER_OPTIONS.concurrency) {
        const client = new DataPipelineClient({
          endpoint: taskRunner.endpoint,
          region: LOCAL_REGION,
          credentials: { accessKeyId, secretAccessKey },
        });
        const runner = new ExtractRunner(client, {
          ...DEFAULT_RUNNER_OPTIONS,
          concurrency,
          workerGroup: WORKER_GROUP,
          hostname: 'test-runner',
          taskrunnerId: 'test-runner-1',
          progressIntervalMs: 200,
          commands,
          logger: { info: () => undefined, warn: () => undefined },
          // The commands' own output would only clutter the test report.
          stdout: new PassThrough(),
        });
        const running = runner.run();
        return {
          runner,
          async stop() {
            runner.stop();
            await running;
            client.destroy();
          },
        };
      },
    },
    when: {
      async theRunStarts(
        input,
        script = {},
        executionName,
        backend = createJobBackend(script, undefined, stack.s3),
        signal,
      ) {
        const run = await runPipeline({
          input,
          executionName,
          handlers: stack.handlers,
          backend,
          taskTokens,
          retryDelayMs: 1,
          signal,
        });
        if (run.status !== 'SUCCEEDED') await closeStoppedRun(stack, input as Record<string, unknown>, run);
        return { ...run, backend };
      },
    },
    then: {
      runRecord: (runId) => readRunRecord(stack.store, runId),
      async tableRecords(runId) {
        const records = await listRunTables(stack.store, runId);
        return Object.fromEntries(records.map((record) => [record.table, record]));
      },
      watermark: async (table) => (await readWatermarks(stack.store, [table])).get(table),
      async runnerTask(runId, table) {
        const deps = {
          documentClient: stack.store.db,
          tableName: stack.names.taskQueueTable!,
          now: Date.now,
        };
        const taskId = await latestTaskId(runId, table, deps);
        return taskId ? getTask(taskId, deps) : undefined;
      },
    },
    async close() {
      await taskRunner.close();
      await stack.close();
    },
  };
}
