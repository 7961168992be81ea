// `npm run serve`: keeps the local stage up. S3 and DynamoDB keep their data under .local/ (git-ignored) across
// restarts; uploading a config under the trigger prefix with any S3 client starts a run, as in AWS; the
// task-runner endpoint serves external runners with a local runner key, granted `local` and the worker groups
// of each config a run uses (before the run starts); `npm start` runs there while this is up. Endpoints go to the
// terminal and to .local/endpoints.json.
//
//   npm run serve -- [--port N] [--reset] [--poll-window S] [--mock file] [--data-dir dir] [--verbose]
import '../polyfills';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { ObjectCreatedDetail } from '../../functions/lib/runs/upload-trigger';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../stack/emulators';
import { readMockFile } from '../runtime/mock-file';
import {
  CommandError,
  helpText,
  parseCommandLine,
  runMain,
  UsageError,
  type CommandOutput,
  type CommandSpec,
} from '../../cli/command-line';
import { startControlServer } from '../serve/control-server';
import {
  DEFAULT_DATA_DIR,
  endpointsPath,
  removeEndpoints,
  writeEndpoints,
  type LocalEndpoints,
} from '../stack/endpoints-file';
import { uploadConfig } from '../runtime/run-locally';
import { startLocalStack, type LocalStack } from '../stack/local-stack';
import { findServeInstance } from '../serve/serve-client';
import { ServeRuns } from '../serve/serve-runs';
import { failInterruptedRuns, RUN_INTERRUPTED } from '../serve/interrupted-runs';
import { sendStdoutToStderr } from '../stdout-to-stderr';
import { startLocalRunners } from '../stack/local-runners';
import {
  LOCAL_WORKER_GROUP,
  runnerWorkerGroups,
  startLocalTaskRunner,
  type LocalTaskRunner,
} from '../stack/task-runner-endpoint';
import { SAMPLE_CONFIG, SAMPLE_MOCK } from './samples';

/** After the first Ctrl-C (or SIGTERM), how long running executions get to finish. */
const DRAIN_SECONDS = 30;
const INTERRUPTED_BY_EXIT =
  'serve mode stopped before this run ended (it was killed, or stopped past its wait); start the run again';
const INTERRUPTED_BY_STOP = `serve mode was stopped before this run ended (Ctrl-C, not finished within ${DRAIN_SECONDS} s); start the run again`;

/** Fixed ports by default, so the endpoints stay the same across restarts: DynamoDB, S3, task runner, control. */
const DEFAULT_BASE_PORT = 4700;

export const SERVE_COMMAND = {
  name: 'npm run serve',
  synopsis: [
    'npm run serve -- [--port <n>] [--reset] [--poll-window <s>] [--mock <file>] [--data-dir <dir>] [--verbose]',
  ],
  options: {
    port: {
      type: 'string',
      value: '<n>',
      description: `base port: DynamoDB n, S3 n+1, task runner n+2, control n+3 (default ${DEFAULT_BASE_PORT}; 0: any free ports)`,
    },
    reset: { type: 'boolean', default: false, description: 'delete the data kept from earlier runs first' },
    'poll-window': { type: 'string', value: '<s>', description: 'task-runner long-poll window in seconds' },
    mock: {
      type: 'string',
      value: '<file>',
      description: 'job outcomes for runs started here (default: local/sample/mock.yml)',
    },
    'data-dir': {
      type: 'string',
      value: '<dir>',
      default: DEFAULT_DATA_DIR,
      description: 'where data and endpoints.json are kept (default: .local)',
    },
    verbose: {
      type: 'boolean',
      default: false,
      description: "the handlers' and the runner's logs, on stderr",
    },
  },
} satisfies CommandSpec;

function portOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65532)
    throw new UsageError(`${name}: not a port (${value})`);
  return port;
}

/** The first start gets the sample config at the default key, so `npm start -- --tables …` works at once. */
async function seedSampleConfig(stack: LocalStack): Promise<void> {
  const { configBucket, defaultConfigKey } = stack.names;
  try {
    await stack.s3.send(new HeadObjectCommand({ Bucket: configBucket, Key: defaultConfigKey }));
  } catch {
    await uploadConfig(stack.s3, configBucket, defaultConfigKey, readFileSync(SAMPLE_CONFIG, 'utf8'));
  }
}

/** The worker groups of the config at the default key (the sample on a first start). */
async function defaultConfigWorkerGroups(stack: LocalStack): Promise<string[]> {
  const { configBucket, defaultConfigKey } = stack.names;
  const object = await stack.s3.send(new GetObjectCommand({ Bucket: configBucket, Key: defaultConfigKey }));
  return runnerWorkerGroups((await object.Body?.transformToString()) ?? '', defaultConfigKey);
}

export async function serveCommand(args: string[], output: CommandOutput): Promise<number> {
  // Bound now: once the handlers run here, other writes to process.stdout go to stderr (sendStdoutToStderr).
  const print = output.stdout.write.bind(output.stdout);
  const log = (line: string) => print(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  const { values: options } = parseCommandLine(SERVE_COMMAND, args);
  if (options.help) {
    output.stdout.write(helpText(SERVE_COMMAND));
    return 0;
  }
  const dataDir = options['data-dir']!;
  const base = portOption(options.port, '--port') ?? DEFAULT_BASE_PORT;
  const port = (offset: number) => (base === 0 ? 0 : base + offset);
  const pollWindow = options['poll-window'] === undefined ? undefined : Number(options['poll-window']);
  if (pollWindow !== undefined && !(pollWindow > 0))
    throw new UsageError(`--poll-window: not a number of seconds (${options['poll-window']})`);
  const script = readMockFile(options.mock ?? SAMPLE_MOCK);

  const running = await findServeInstance(dataDir);
  if (running) throw new CommandError(`serve mode is already running on ${dataDir} (pid ${running.pid})`);
  if (options.reset) {
    for (const part of ['dynamodb', 's3']) rmSync(join(dataDir, part), { recursive: true, force: true });
    log(`Reset: removed the data under ${dataDir}`);
  }
  mkdirSync(dataDir, { recursive: true });
  removeEndpoints(dataDir);
  const restarted = existsSync(join(dataDir, 'dynamodb'));

  // Uploads are passed on only once everything is up (the sample config seeded on first start is no upload).
  let runs: ServeRuns | undefined;
  const onObjectCreated = (detail: ObjectCreatedDetail) => {
    runs?.onObjectCreated(detail).catch((error: Error) => log(`Upload trigger failed: ${error.message}`));
  };
  const restoreStdout = sendStdoutToStderr();
  const stack = await startLocalStack({
    dataDir,
    ports: { dynamodb: port(0), s3: port(1) },
    onObjectCreated,
    verbose: options.verbose,
    inProcessDynamoDb: true,
  });
  const closers: (() => Promise<void>)[] = [async () => restoreStdout(), () => stack.close()];
  const shutdown = async () => {
    removeEndpoints(dataDir);
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    await seedSampleConfig(stack);
    const interrupted = await failInterruptedRuns(stack.store, stack.s3, INTERRUPTED_BY_EXIT);
    if (interrupted.length > 0)
      log(
        `Runs left RUNNING by a serve that stopped before they ended, now FAILED (${RUN_INTERRUPTED}): ${interrupted.join(', ')}`,
      );
    const serveRuns = new ServeRuns(stack, script, log);

    let taskRunner: LocalTaskRunner | undefined;
    try {
      taskRunner = await startLocalTaskRunner(stack, {
        callbacks: serveRuns.taskTokens,
        port: port(2),
        workerGroups: await defaultConfigWorkerGroups(stack),
        ...(pollWindow !== undefined ? { pollWindowMs: pollWindow * 1000 } : {}),
      });
      closers.push(() => taskRunner!.close());
      // The sample's runner tables (worker group `local`) get the bundled runner, as `npm start` gives them, so a
      // run started here never waits for a runner nobody started; other worker groups are for external runners.
      const localRunner = startLocalRunners({
        endpoint: taskRunner.endpoint,
        credentials: taskRunner.credentials,
        workerGroups: [LOCAL_WORKER_GROUP],
        verbose: options.verbose,
        log,
      });
      closers.push(() => localRunner.stop());
    } catch (error) {
      log(`Task-runner endpoint not started (${(error as Error).message}); runner tables need it`);
    }
    const control = await startControlServer(serveRuns, port(3));
    closers.push(() => control.close());

    const endpoints: LocalEndpoints = {
      s3: stack.endpoints.s3,
      bucket: stack.names.configBucket,
      triggerPrefix: stack.names.triggerPrefix,
      ...(taskRunner ? { taskRunner: taskRunner.endpoint } : {}),
      dynamodb: stack.endpoints.dynamodb,
      trackingTable: stack.names.trackingTable,
      region: LOCAL_REGION,
      credentials: {
        accessKeyId: LOCAL_CREDENTIALS.accessKeyId,
        secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey,
      },
      ...(taskRunner ? { runnerCredentials: taskRunner.credentials } : {}),
      control: control.endpoint,
      pid: process.pid,
    };
    writeEndpoints(dataDir, endpoints);
    if (taskRunner) {
      const runner = taskRunner;
      serveRuns.grantWorkerGroups = async (groups) => {
        const before = runner.credentials.workerGroups.length;
        const granted = await runner.grantWorkerGroups(groups);
        if (granted.length === before) return;
        endpoints.runnerCredentials = runner.credentials;
        writeEndpoints(dataDir, endpoints);
        log(`Runner key ${runner.credentials.accessKeyId} now granted worker groups ${granted.join(', ')}`);
      };
    }
    runs = serveRuns;

    log(`Serving the local stage${restarted ? ' (data kept from earlier runs)' : ''}:`);
    log(`  S3           ${endpoints.s3}  bucket ${endpoints.bucket}`);
    log(
      `  trigger      upload a config under s3://${endpoints.bucket}/${endpoints.triggerPrefix} to start a run`,
    );
    log(`  DynamoDB     ${endpoints.dynamodb}  table ${endpoints.trackingTable}`);
    log(
      `  credentials  ${LOCAL_CREDENTIALS.accessKeyId} / ${LOCAL_CREDENTIALS.secretAccessKey}, region ${LOCAL_REGION}`,
    );
    if (taskRunner) {
      log(
        `  task runner  ${taskRunner.endpoint}  worker groups ${taskRunner.credentials.workerGroups.join(', ')}`,
      );
      log(`  runner key   ${taskRunner.credentials.accessKeyId} (secret in ${endpointsPath(dataDir)})`);
      log(`  runner       the bundled extract-runner serves worker group ${LOCAL_WORKER_GROUP}`);
    }
    log(`Endpoints written to ${endpointsPath(dataDir)}. Ctrl-C stops; data stays in ${dataDir}.`);

    let signals = 0;
    let secondSignal!: () => void;
    const stopNow = new Promise<void>((resolve) => (secondSignal = resolve));
    await new Promise<void>((resolve) => {
      const onSignal = () => {
        signals += 1;
        if (signals === 1) resolve();
        else if (signals === 2) secondSignal();
        else process.exit(130); // a third: not even the records are closed
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    runs = undefined;
    const running = serveRuns.runningCount();
    if (running > 0) {
      log(
        `Stopping: waiting up to ${DRAIN_SECONDS} s for ${running} running execution(s); Ctrl-C again stops now`,
      );
      const drained = await Promise.race([
        serveRuns.drain().then(() => true),
        stopNow.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), DRAIN_SECONDS * 1000).unref()),
      ]);
      if (!drained) {
        const failed = await failInterruptedRuns(stack.store, stack.s3, INTERRUPTED_BY_STOP);
        log(`Stopped with runs still going; now FAILED (${RUN_INTERRUPTED}): ${failed.join(', ')}`);
      }
    }
  } finally {
    await shutdown();
  }
  return 0;
}

if (require.main === module) runMain(SERVE_COMMAND, serveCommand);
