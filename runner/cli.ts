// `extract-runner --endpoint URL --worker-group G [--concurrency N] [--region R]`: a self-hosted task runner for
// the extract pipeline's task-runner endpoint. Credentials come from the standard AWS chain (env, profile, …):
// set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY to a key issued by `runner-credentials create`.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { DataPipelineClient } from '@aws-sdk/client-data-pipeline';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DEFAULT_RUNNER_OPTIONS, ExtractRunner } from './extract-runner';
import type { RunnerLogger } from './extract-runner';

/** The endpoint holds a poll for up to 90 s; the socket must outlast it, as the PollForTask reference asks. */
export const REQUEST_TIMEOUT_MS = 120_000;

export class UsageError extends Error {
  override name = 'UsageError';
}

const USAGE = `Usage: extract-runner --endpoint URL --worker-group GROUP [--concurrency N] [--region REGION]
       [--progress-interval SECONDS] [--shutdown-grace SECONDS] [--hostname NAME]`;

export function parseRunnerArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      endpoint: { type: 'string' },
      'worker-group': { type: 'string' },
      concurrency: { type: 'string', default: String(DEFAULT_RUNNER_OPTIONS.concurrency) },
      region: { type: 'string' },
      'progress-interval': {
        type: 'string',
        default: String(DEFAULT_RUNNER_OPTIONS.progressIntervalMs / 1000),
      },
      'shutdown-grace': { type: 'string', default: String(DEFAULT_RUNNER_OPTIONS.shutdownGraceMs / 1000) },
      hostname: { type: 'string', default: hostname() },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new UsageError(USAGE);
  if (!values.endpoint || !values['worker-group'])
    throw new UsageError(`--endpoint and --worker-group are required.\n${USAGE}`);
  const positive = (name: string, raw: string) => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number.`);
    return value;
  };
  return {
    endpoint: values.endpoint,
    workerGroup: values['worker-group'],
    concurrency: Math.floor(positive('concurrency', values.concurrency)),
    region: values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    progressIntervalMs: positive('progress-interval', values['progress-interval']) * 1000,
    shutdownGraceMs: positive('shutdown-grace', values['shutdown-grace']) * 1000,
    hostname: values.hostname,
  };
}

const jsonLogger: RunnerLogger = {
  info: (message, extra) => process.stderr.write(`${JSON.stringify({ level: 'INFO', message, ...extra })}\n`),
  warn: (message, extra) => process.stderr.write(`${JSON.stringify({ level: 'WARN', message, ...extra })}\n`),
};

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseRunnerArgs>;
  try {
    args = parseRunnerArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const client = new DataPipelineClient({
    endpoint: args.endpoint,
    region: args.region,
    requestHandler: new NodeHttpHandler({ requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: 10_000 }),
  });
  const runner = new ExtractRunner(client, {
    ...DEFAULT_RUNNER_OPTIONS,
    workerGroup: args.workerGroup,
    concurrency: args.concurrency,
    hostname: args.hostname,
    taskrunnerId: `${args.hostname}-${randomUUID()}`,
    progressIntervalMs: args.progressIntervalMs,
    shutdownGraceMs: args.shutdownGraceMs,
    logger: jsonLogger,
  });
  const onSignal = (signal: NodeJS.Signals) => {
    jsonLogger.info('Signal received', { signal });
    runner.stop();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  jsonLogger.info('Runner started', {
    endpoint: args.endpoint,
    workerGroup: args.workerGroup,
    concurrency: args.concurrency,
  });
  await runner.run();
  client.destroy();
  return 0;
}
