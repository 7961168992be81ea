// Serve mode's task-runner endpoint: the real endpoint code (local/task-runner-server.ts) on 127.0.0.1, its queue
// table created from resources/, and a runner credential issued the way `runner-credentials` issues one when
// deployed, so external runners (boto3, the JS SDK, the bundled extract-runner) can poll it.
//
// TODO(runner tables): the state machine does not hand `runner` tables to the queue yet (issue 4 wires the job
// type). Until then task callbacks stay in memory; once it does, pass serve mode's callbacks to runLocally and
// grant the credential the worker groups of the config's runner tables.
import { ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { createRunnerCredential } from '../../functions/lib/task-runner/runner-credentials';
import { InMemoryTaskCallbacks } from '../../functions/lib/task-runner/task-callbacks';
import { createTaskQueueTable, startTaskRunnerServer } from '../task-runner-server';
import type { Credentials } from './endpoints-file';
import type { LocalStack } from './local-stack';

/** The worker group a local runner polls unless a config names others. */
export const LOCAL_WORKER_GROUP = 'local';

export interface LocalTaskRunner {
  endpoint: string;
  credentials: Credentials & { workerGroups: string[] };
  close(): Promise<void>;
}

export async function startLocalTaskRunner(
  stack: LocalStack,
  options: { port?: number; pollWindowMs?: number },
): Promise<LocalTaskRunner> {
  const tableName = stack.names.taskQueueTable;
  if (!tableName) throw new Error('resources/task-queue-table.yml names no TaskQueueTable');
  try {
    await createTaskQueueTable(stack.dynamodb, tableName);
  } catch (error) {
    // Serve mode keeps its data across restarts: the table is usually there already.
    if (!(error instanceof ResourceInUseException) && (error as Error).name !== 'ResourceInUseException')
      throw error;
  }
  const server = await startTaskRunnerServer({
    documentClient: stack.db,
    tableName,
    callbacks: new InMemoryTaskCallbacks(),
    port: options.port,
    ...(options.pollWindowMs !== undefined ? { pollWindowMs: options.pollWindowMs } : {}),
  });
  const credential = await createRunnerCredential(
    [LOCAL_WORKER_GROUP],
    { documentClient: stack.db, tableName, now: Date.now },
    'serve mode',
  );
  return {
    endpoint: server.endpoint,
    credentials: {
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      workerGroups: credential.workerGroups,
    },
    close: () => server.close(),
  };
}
