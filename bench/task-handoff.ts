// Hand-off bench (`npx tsx bench/task-handoff.ts [--interval MS]`): 10 pollers with the official Data Pipeline
// client against the local endpoint and DynamoDB Local. Phase 1 (paced) measures hand-off latency from enqueue to
// a waiting poller; phase 2 (burst) queues everything at once and measures drain throughput. Every task is
// checked to have been handed out exactly once.
import '../local/polyfills';
import { DataPipelineClient, PollForTaskCommand, SetTaskStatusCommand } from '@aws-sdk/client-data-pipeline';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createDocumentClient } from '../functions/clients/dynamodb';
import { createRunnerCredential } from '../functions/lib/task-runner/runner-credentials';
import { InMemoryTaskCallbacks } from '../functions/lib/task-runner/task-callbacks';
import { enqueueTask } from '../functions/lib/task-runner/enqueue-task';
import { LOCAL_REGION, startDynamoDb, localDynamoDbClient } from '../local/stack/emulators';
import { createTaskQueueTable, startTaskRunnerServer } from '../local/stack/task-runner-server';

const POLLERS = 10;
const TASKS = 1000;
const WORKER_GROUP = 'bench';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function main(): Promise<void> {
  const pollIntervalMs = argument('--interval', 500);
  const paceMs = argument('--pace', 20);
  const dynamo = await startDynamoDb();
  const dynamoClient = localDynamoDbClient(dynamo.endpoint);
  const tableName = 'task-queue';
  await createTaskQueueTable(dynamoClient, tableName);
  const documentClient = createDocumentClient(dynamoClient);
  const deps = { documentClient, tableName, now: Date.now };
  const server = await startTaskRunnerServer({
    documentClient,
    tableName,
    callbacks: new InMemoryTaskCallbacks(),
    pollWindowMs: 5_000,
    pollIntervalMs,
  });
  const credential = await createRunnerCredential([WORKER_GROUP], deps);

  const queuedAt = new Map<string, number>();
  const received = new Map<string, number>();
  const latencies: number[] = [];
  let doubleHandOffs = 0;
  let stop = false;

  const pollers = Array.from({ length: POLLERS }, async () => {
    const client = new DataPipelineClient({
      endpoint: server.endpoint,
      region: LOCAL_REGION,
      credentials: credential,
      requestHandler: new NodeHttpHandler({ requestTimeout: 30_000 }),
    });
    while (!stop) {
      const { taskObject } = await client.send(new PollForTaskCommand({ workerGroup: WORKER_GROUP }));
      const taskId = taskObject?.taskId;
      if (!taskId) continue;
      const now = performance.now();
      if (received.has(taskId)) doubleHandOffs++;
      received.set(taskId, (received.get(taskId) ?? 0) + 1);
      const sent = queuedAt.get(taskId);
      if (sent !== undefined) latencies.push(now - sent);
      await client.send(new SetTaskStatusCommand({ taskId, taskStatus: 'FINISHED' }));
    }
    client.destroy();
  });

  const enqueue = async (i: number, phase: string) => {
    const start = performance.now();
    const task = await enqueueTask(
      {
        taskToken: `${phase}-${i}`,
        runId: `bench-${phase}`,
        table: `table_${i}`,
        attemptLimit: 3,
        workerGroup: WORKER_GROUP,
        command: 'true',
        fields: {},
        reportProgressTimeoutSeconds: 900,
      },
      deps,
    );
    queuedAt.set(task.taskId, start);
    return task.taskId;
  };
  const waitUntilReceived = async (ids: string[]) => {
    while (ids.some((id) => !received.has(id))) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  // Phase 1: paced, so each task meets idle pollers and the latency is the hand-off itself.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const pacedIds: string[] = [];
  for (let i = 0; i < TASKS; i++) {
    pacedIds.push(await enqueue(i, 'paced'));
    await new Promise((resolve) => setTimeout(resolve, paceMs));
  }
  await waitUntilReceived(pacedIds);
  const pacedLatencies = [...latencies].sort((a, b) => a - b);

  // Phase 2: burst, to find how fast 10 pollers drain a full queue.
  const burstStart = performance.now();
  const burstIds = await Promise.all(Array.from({ length: TASKS }, (_, i) => enqueue(i, 'burst')));
  await waitUntilReceived(burstIds);
  const burstSeconds = (performance.now() - burstStart) / 1000;

  stop = true;
  await Promise.allSettled(pollers);
  await server.close();
  await dynamo.close();

  const report = {
    pollers: POLLERS,
    tasksPerPhase: TASKS,
    pollIntervalMs,
    pacedEveryMs: paceMs,
    handOffLatencyMs: {
      p50: Math.round(percentile(pacedLatencies, 50)),
      p99: Math.round(percentile(pacedLatencies, 99)),
      max: Math.round(pacedLatencies[pacedLatencies.length - 1] ?? NaN),
    },
    burstTasksPerSecond: Math.round(TASKS / burstSeconds),
    doubleHandOffs,
    tasksHandedOut: received.size,
  };
  console.log(JSON.stringify(report, null, 2));
  if (doubleHandOffs !== 0 || received.size !== 2 * TASKS) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
