// `npm run status`: the runs in a tracking table, newest first with their counts, or one run's table records;
// with --runners, the self-hosted task runners that reported a heartbeat recently, per worker group.
// Local by default (the serve instance in .local/endpoints.json, or its data folder when serve is stopped);
// `--stage S` reads the deployed stage's tables with the default AWS credential chain.
//
//   npm run status -- [--run-id R | --runners [--worker-group G]] [--json] [--stage S] [--limit N] [--data-dir dir]
import '../polyfills';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../functions/clients/dynamodb';
import type { TrackingStore } from '../../functions/lib/tracking/tracking-store';
import { listLiveRunners } from '../../functions/lib/task-runner/runner-heartbeats';
import { startDynamoDb, localDynamoDbClient } from '../stack/emulators';
import { deployedStageTable } from '../stack/stage-environment';
import { formatSummary, formatTable, readRunSummary, summaryJson } from '../summary';
import {
  CommandError,
  helpText,
  parseCommandLine,
  runMain,
  UsageError,
  type CommandOutput,
  type CommandSpec,
} from '../../cli/command-line';
import { DEFAULT_DATA_DIR } from '../stack/endpoints-file';
import { listRuns } from '../list-runs';
import { LOCAL_STAGE } from '../stack/local-stack';
import { findServeInstance } from '../serve/serve-client';

export const STATUS_COMMAND = {
  name: 'npm run status',
  synopsis: [
    'npm run status -- [--run-id <id>] [--limit <n>] [--json] [--stage <stage> | --data-dir <dir>]',
    'npm run status -- --runners [--worker-group <group>] [--json] [--stage <stage> | --data-dir <dir>]',
  ],
  options: {
    'run-id': {
      type: 'string',
      value: '<id>',
      description: "one run's table records instead of the list of runs",
    },
    limit: {
      type: 'string',
      value: '<n>',
      default: '20',
      description: 'how many runs to list, newest first (default 20)',
    },
    runners: {
      type: 'boolean',
      default: false,
      description: 'the live task runners per worker group instead of runs',
    },
    'worker-group': {
      type: 'string',
      value: '<group>',
      description: 'with --runners: only this worker group',
    },
    json: { type: 'boolean', default: false, description: 'print one JSON object on stdout' },
    stage: {
      type: 'string',
      value: '<stage>',
      description:
        "a deployed stage's tables (region from config/<stage>.yml, AWS credentials from the default chain)",
    },
    'data-dir': {
      type: 'string',
      value: '<dir>',
      default: DEFAULT_DATA_DIR,
      description: "serve mode's data folder (default: .local), read directly while serve is stopped",
    },
  },
} satisfies CommandSpec;

interface OpenStore {
  store: TrackingStore;
  where: string;
  close(): Promise<void>;
}

type TableOf = 'trackingTable' | 'taskQueueTable';

async function openDeployedStore(stage: string, table: TableOf): Promise<OpenStore> {
  const { tableName, region } = deployedStageTable(stage, table);
  const client = new DynamoDBClient(region ? { region } : {});
  return {
    store: { db: createDocumentClient(client), tableName },
    where: `${tableName} (stage ${stage})`,
    close: async () => client.destroy(),
  };
}

async function openLocalStore(dataDir: string, table: TableOf): Promise<OpenStore> {
  const { tableName } = deployedStageTable(LOCAL_STAGE, table);
  const serve = await findServeInstance(dataDir);
  if (serve) {
    const client = localDynamoDbClient(serve.dynamodb);
    return {
      store: { db: createDocumentClient(client), tableName },
      where: `${tableName} on the serve instance (${serve.dynamodb})`,
      close: async () => client.destroy(),
    };
  }
  // Serve mode is stopped: its data folder is read directly (the folder is locked while serve runs).
  const directory = join(dataDir, 'dynamodb');
  if (!existsSync(directory))
    throw new CommandError(`no local runs in ${dataDir}: start serve mode (npm run serve) or pass --stage`);
  const dynamo = await startDynamoDb({ directory });
  const client = localDynamoDbClient(dynamo.endpoint);
  return {
    store: { db: createDocumentClient(client), tableName },
    where: `${tableName} in ${dataDir}`,
    close: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}

export async function statusCommand(args: string[], output: CommandOutput): Promise<number> {
  const { values: options } = parseCommandLine(STATUS_COMMAND, args);
  if (options.help) {
    output.stdout.write(helpText(STATUS_COMMAND));
    return 0;
  }
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit: not a positive number (${options.limit})`);
  const table: TableOf = options.runners ? 'taskQueueTable' : 'trackingTable';
  const opened = options.stage
    ? await openDeployedStore(options.stage, table)
    : await openLocalStore(options['data-dir']!, table);
  try {
    if (options.runners) {
      const runners = await listLiveRunners(options['worker-group'], {
        documentClient: opened.store.db,
        tableName: opened.store.tableName,
        now: Date.now,
      });
      if (options.json) output.stdout.write(`${JSON.stringify({ runners })}\n`);
      else if (runners.length === 0) output.stdout.write(`No live runners in ${opened.where}\n`);
      else {
        const rows = runners.map((r) => [
          r.workerGroup ?? '',
          r.taskrunnerId,
          r.hostname ?? '',
          r.lastSeenAt,
        ]);
        output.stdout.write(
          `${formatTable(['worker group', 'runner', 'hostname', 'last seen (UTC)'], rows)}\n`,
        );
      }
      return 0;
    }
    if (options['run-id']) {
      const summary = await readRunSummary(opened.store, options['run-id']);
      if (!summary) throw new CommandError(`--run-id: no run ${options['run-id']} in ${opened.where}`);
      output.stdout.write(`${options.json ? summaryJson(summary) : formatSummary(summary)}\n`);
      return 0;
    }
    const runs = await listRuns(opened.store, limit);
    if (options.json) {
      output.stdout.write(`${JSON.stringify({ runs })}\n`);
      return 0;
    }
    if (runs.length === 0) {
      output.stdout.write(`No runs in ${opened.where}\n`);
      return 0;
    }
    const rows = runs.map((run) => [
      run.runId,
      run.status,
      run.startedAt.replace('T', ' ').slice(0, 19),
      run.trigger ?? '',
      String(run.counts.tables),
      String(run.counts.succeeded),
      String(run.counts.failed),
      String(run.counts.pending),
      run.error ?? '',
    ]);
    output.stdout.write(
      `${formatTable(['run id', 'status', 'started (UTC)', 'trigger', 'tables', 'succeeded', 'failed', 'running', 'error'], rows)}\n`,
    );
    return 0;
  } finally {
    await opened.close();
  }
}

if (require.main === module) runMain(STATUS_COMMAND, statusCommand);
