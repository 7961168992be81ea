// Given-steps for the task-runner tests: DynamoDB Local (dynalite) over real HTTP, the endpoint served by the
// deployed handler code on 127.0.0.1, and official Data Pipeline SDK clients signed with issued credentials.
import { DataPipelineClient } from '@aws-sdk/client-data-pipeline';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createDocumentClient } from '../../../functions/clients/dynamodb';
import { createRunnerCredential } from '../../../functions/lib/task-runner/runner-credentials';
import type { IssuedRunnerCredential } from '../../../functions/lib/task-runner/runner-credentials';
import { InMemoryTaskCallbacks } from '../../../functions/lib/task-runner/task-callbacks';
import { enqueueTask } from '../../../functions/lib/task-runner/enqueue-task';
import { getTask } from '../../../functions/lib/task-runner/task-item';
import type { NewTask, TaskItem } from '../../../functions/lib/task-runner/task-item';
import { LOCAL_REGION, startDynamoDb, localDynamoDbClient } from '../../../local/stack/emulators';
import { createTaskQueueTable, startTaskRunnerServer } from '../../../local/stack/task-runner-server';
import type { TaskRunnerServer } from '../../../local/stack/task-runner-server';

/** A clock the tests move forward instead of sleeping: leases of minutes expire in milliseconds. */
export class TestClock {
  offsetMs = 0;
  readonly now = () => Date.now() + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/**
 * A long poll's sleep the test controls: while closed, every waiting poll is held in its sleep, so a test knows
 * exactly how many polls are waiting before it queues a task, without sleeping itself.
 */
export class PollGate {
  waiting = 0;
  private opened: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;

  close(): void {
    this.opened = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release();
  }

  readonly sleep = async (ms: number): Promise<void> => {
    this.waiting++;
    await this.opened;
    this.waiting--;
    await new Promise((resolve) => setTimeout(resolve, ms));
  };
}

export interface EndpointOptions {
  callbacks?: InMemoryTaskCallbacks;
  pollWindowMs?: number;
  pollIntervalMs?: number;
  /** Replaces the long poll's sleep; receives the clock so it can advance time instead of waiting. */
  sleep?: (ms: number, clock: TestClock) => Promise<void>;
}

export interface Endpoint {
  endpoint: string;
  dynamoEndpoint: string;
  tableName: string;
  documentClient: DynamoDBDocumentClient;
  callbacks: InMemoryTaskCallbacks;
  clock: TestClock;
  server: TaskRunnerServer;
  /** Moves the endpoint's clock and the clients' signing clocks together. */
  advanceClock(ms: number): void;
  deps: { documentClient: DynamoDBDocumentClient; tableName: string; now: () => number };
  issueCredential(workerGroups: string[]): Promise<IssuedRunnerCredential>;
  client(credentials: { accessKeyId: string; secretAccessKey: string }): DataPipelineClient;
  enqueue(overrides?: Partial<NewTask>): Promise<TaskItem>;
  task(taskId: string): Promise<TaskItem | undefined>;
  close(): Promise<void>;
}

let tokenCounter = 0;

export async function anEndpoint(options: EndpointOptions = {}): Promise<Endpoint> {
  const dynamo = await startDynamoDb();
  const dynamoClient = localDynamoDbClient(dynamo.endpoint);
  const tableName = 'task-queue';
  await createTaskQueueTable(dynamoClient, tableName);
  const documentClient = createDocumentClient(dynamoClient);
  const callbacks = options.callbacks ?? new InMemoryTaskCallbacks();
  const clock = new TestClock();
  const server = await startTaskRunnerServer({
    documentClient,
    tableName,
    callbacks,
    now: clock.now,
    pollWindowMs: options.pollWindowMs ?? 1_000,
    pollIntervalMs: options.pollIntervalMs ?? 50,
    ...(options.sleep ? { sleep: (ms: number) => options.sleep!(ms, clock) } : {}),
  });
  const deps = { documentClient, tableName, now: clock.now };
  const clients: DataPipelineClient[] = [];
  return {
    endpoint: server.endpoint,
    server,
    dynamoEndpoint: dynamo.endpoint,
    tableName,
    documentClient,
    callbacks,
    clock,
    deps,
    advanceClock: (ms) => {
      clock.advance(ms);
      for (const client of clients) client.config.systemClockOffset = clock.offsetMs;
    },
    issueCredential: (workerGroups) => createRunnerCredential(workerGroups, deps),
    client: (credentials) => {
      const client = new DataPipelineClient({
        endpoint: server.endpoint,
        region: LOCAL_REGION,
        credentials,
        maxAttempts: 1,
        // Signed with the test clock's time, as a runner whose clock agrees with the server's would sign.
        systemClockOffset: clock.offsetMs,
        requestHandler: new NodeHttpHandler({ requestTimeout: 30_000 }),
      });
      clients.push(client);
      return client;
    },
    enqueue: (overrides = {}) =>
      enqueueTask(
        {
          taskToken: `token-${++tokenCounter}-${Math.random().toString(36).slice(2)}`,
          runId: 'run-2026-11-25',
          table: 'orders',
          attemptLimit: 3,
          workerGroup: 'wg-finance',
          command: 'echo hello',
          fields: { '--table': 'orders', '--target-path': 's3://lake/raw/orders/' },
          reportProgressTimeoutSeconds: 900,
          ...overrides,
        },
        deps,
      ),
    task: (taskId) => getTask(taskId, deps),
    close: async () => {
      for (const client of clients) client.destroy();
      await server.close();
      await dynamo.close();
    },
  };
}
