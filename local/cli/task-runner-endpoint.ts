// Serve mode's task-runner endpoint: the real endpoint code (local/task-runner-server.ts) on 127.0.0.1, its queue
// table created from resources/, and a runner credential issued the way `runner-credentials` issues one when
// deployed, so external runners (boto3, the JS SDK, the bundled extract-runner) can poll it.
//
// Its callbacks are the same LocalTaskTokens the serve runs wait on, so a runner's answer resumes the run.
// TODO(runner tables): grant the credential the worker groups of the config's runner tables (it has `local`
// only), and have standalone `npm start` run its runner tables through this endpoint and the bundled runner CLI;
// the sample config and the tests leave runner tables out until then.
import { ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { createRunnerCredential } from '../../functions/lib/task-runner/runner-credentials';
import type { TaskCallbacks } from '../../functions/lib/task-runner/task-callbacks';
import { createTaskQueueTable } from '../create-resources';
import { startTaskRunnerServer } from '../task-runner-server';
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
  options: { callbacks: TaskCallbacks; port?: number; pollWindowMs?: number },
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
    callbacks: options.callbacks,
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
