// The local task-runner endpoint: the real endpoint code (task-runner-server.ts) on 127.0.0.1, its queue
// table created from resources/, and a runner credential issued the way `runner-credentials` issues one when
// deployed, so runners (the bundled extract-runner, boto3, the JS SDK) can poll it. `npm start` and serve mode
// both start it; its callbacks are the LocalTaskTokens their runs wait on, so a runner's answer resumes the run.
//
// "Every worker group" for the local key: the credentials model has exact grants only, and the deployed check
// (assertWorkerGroupGranted) stays that way — no wildcard that a deployed key could ever carry. Instead the local
// key is granted `local` plus the worker groups of every config it runs: `npm start` grants its config's groups
// up front, serve mode grants a config's groups before each run starts (grantWorkerGroups).
import {
  createRunnerCredential,
  grantRunnerCredentialWorkerGroups,
} from '../../functions/lib/task-runner/runner-credentials';
import type { TaskCallbacks } from '../../functions/lib/task-runner/task-callbacks';
import { validateExtractConfig } from '../../functions/lib/config/extract-config';
import { parseConfigDocument } from '../../functions/lib/config/parse-config-document';
import { createTaskQueueTable } from './create-resources';
import { startTaskRunnerServer } from './task-runner-server';
import type { Credentials } from './endpoints-file';
import type { LocalStack } from './local-stack';

/** The worker group a local runner polls unless a config names others. */
export const LOCAL_WORKER_GROUP = 'local';

export interface LocalTaskRunner {
  endpoint: string;
  credentials: Credentials & { workerGroups: string[] };
  /** Adds worker groups to the local key's grants; resolves with the groups now granted. */
  grantWorkerGroups(workerGroups: string[]): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The worker groups of a config's runner tables, in order of first use. A config that does not parse has none:
 * its run fails in the config manager, with the reason, like any other.
 */
export function runnerWorkerGroups(configText: string, key = 'extract-config.yml'): string[] {
  // A runner table's job type is the word itself, or an escape of it (JSON's and YAML's need a backslash): a text
  // with neither has none, and is not parsed and validated twice (0.6 s of CPU for 100,000 tables).
  if (!/runner|\\/.test(configText)) return [];
  try {
    const { tables } = validateExtractConfig(parseConfigDocument(configText, key), key);
    const groups = tables.flatMap((table) =>
      table.job_type === 'runner' && table.worker_group ? [table.worker_group] : [],
    );
    return [...new Set(groups)];
  } catch {
    return [];
  }
}

export async function startLocalTaskRunner(
  stack: LocalStack,
  options: {
    callbacks: TaskCallbacks;
    port?: number;
    pollWindowMs?: number;
    pollIntervalMs?: number;
    workerGroups?: string[];
  },
): Promise<LocalTaskRunner> {
  const tableName = stack.names.taskQueueTable;
  if (!tableName) throw new Error('resources/task-queue-table.yml names no TaskQueueTable');
  // Serve mode keeps its data across restarts: an existing table is fine.
  await createTaskQueueTable(stack.dynamodb, tableName);
  const server = await startTaskRunnerServer({
    documentClient: stack.db,
    tableName,
    callbacks: options.callbacks,
    port: options.port,
    ...(options.pollWindowMs !== undefined ? { pollWindowMs: options.pollWindowMs } : {}),
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
  const deps = { documentClient: stack.db, tableName, now: Date.now };
  const credential = await createRunnerCredential(
    [...new Set([LOCAL_WORKER_GROUP, ...(options.workerGroups ?? [])])],
    deps,
    'local mode',
  );
  const credentials = {
    accessKeyId: credential.accessKeyId,
    secretAccessKey: credential.secretAccessKey,
    workerGroups: credential.workerGroups,
  };
  // Grants are read-modify-write on one item: one at a time, so concurrent runs cannot drop each other's groups.
  let granting: Promise<unknown> = Promise.resolve();
  return {
    endpoint: server.endpoint,
    credentials,
    grantWorkerGroups(workerGroups) {
      const next = granting.then(async () => {
        if (workerGroups.every((group) => credentials.workerGroups.includes(group)))
          return credentials.workerGroups;
        credentials.workerGroups = await grantRunnerCredentialWorkerGroups(
          credentials.accessKeyId,
          workerGroups,
          deps,
        );
        return credentials.workerGroups;
      });
      granting = next.catch(() => undefined);
      return next;
    },
    close: () => server.close(),
  };
}
