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
import { deployedTrackingTableName, readStageNames, readStageConfig } from '../stack/stage-environment';
import { formatSummary, formatTable, readRunSummary, summaryJson } from '../summary';
import { LocalCommandError, parseOptions, runMain, UsageError, type CommandOutput } from '../command-line';
import { DEFAULT_DATA_DIR } from '../stack/endpoints-file';
import { listRuns } from '../list-runs';
import { LOCAL_STAGE } from '../stack/local-stack';
import { findServeInstance } from '../serve/serve-client';

interface OpenStore {
  store: TrackingStore;
  where: string;
  close(): Promise<void>;
}

type TableOf = 'trackingTable' | 'taskQueueTable';

function stageTableName(stage: string, table: TableOf): string {
  const name =
    table === 'trackingTable' ? deployedTrackingTableName(stage) : readStageNames(stage).taskQueueTable;
  if (!name) throw new LocalCommandError(`serverless.yml names no ${table} for stage ${stage}`);
  return name;
}

async function openDeployedStore(stage: string, table: TableOf): Promise<OpenStore> {
  let region: string | undefined;
  try {
    region = String(readStageConfig(stage).region);
  } catch {
    // No config/<stage>.yml here: the default chain's region (AWS_REGION, the profile) decides.
  }
  const client = new DynamoDBClient(region ? { region } : {});
  const tableName = stageTableName(stage, table);
  return {
    store: { db: createDocumentClient(client), tableName },
    where: `${tableName} (stage ${stage})`,
    close: async () => client.destroy(),
  };
}

async function openLocalStore(dataDir: string, table: TableOf): Promise<OpenStore> {
  const tableName = stageTableName(LOCAL_STAGE, table);
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
    throw new LocalCommandError(
      `no local runs in ${dataDir}: start serve mode (npm run serve) or pass --stage`,
    );
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
  const options = parseOptions(
    {
      'run-id': { type: 'string' },
      json: { type: 'boolean', default: false },
      stage: { type: 'string' },
      limit: { type: 'string', default: '20' },
      'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
      runners: { type: 'boolean', default: false },
      'worker-group': { type: 'string' },
    },
    args,
  );
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
      if (!summary) throw new LocalCommandError(`--run-id: no run ${options['run-id']} in ${opened.where}`);
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

if (require.main === module) runMain('npm run status', statusCommand);
