// The task-runner endpoint on 127.0.0.1: adapts each HTTP request into the Lambda function URL event (payload
// format 2.0) and answers with createTaskRunnerApi, the code the deployed handler runs. It calls that rather than
// the handler because it passes its own table, callbacks and clock, which the handler takes from the Lambda
// environment; only middy's logging middleware is left out.
//
// Run on its own: `npx tsx local/stack/task-runner-server.ts --port 8787 --worker-group G [--poll-window S]` starts DynamoDB Local
// (dynalite), creates the table, issues a runner credential for G and prints it.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { createDocumentClient } from '../../functions/clients/dynamodb';
import {
  createTaskRunnerApi,
  MAX_REQUEST_BODY_BYTES,
  requestTooLarge,
} from '../../functions/lib/task-runner/handle-request';
import type {
  TaskRunnerApi,
  TaskRunnerApiDeps,
  TaskRunnerResult,
} from '../../functions/lib/task-runner/handle-request';
import {
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_POLL_WINDOW_MS,
  realSleep,
} from '../../functions/lib/task-runner/poll-for-task';
import { createRunnerCredential } from '../../functions/lib/task-runner/runner-credentials';
import { InMemoryTaskCallbacks } from '../../functions/lib/task-runner/task-callbacks';
import type { TaskCallbacks } from '../../functions/lib/task-runner/task-callbacks';
import { createTaskQueueTable } from './create-resources';
import { LOCAL_REGION, startDynamoDb, localDynamoDbClient } from './emulators';

// The table comes from resources/task-queue-table.yml, so local and deployed schemas cannot drift apart.
export { createTaskQueueTable };

export function toFunctionUrlEvent(
  request: IncomingMessage,
  body: Buffer,
  port: number,
): LambdaFunctionURLEvent {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  // Function URLs join repeated headers with commas and lower-case every name.
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: headers.host ?? `127.0.0.1:${port}`,
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `local-${now.getTime()}-${Math.random().toString(36).slice(2, 10)}`,
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    // Function URLs base64-encode bodies whose content type is not text, which includes application/x-amz-json-1.1.
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

export interface TaskRunnerServerOptions extends Partial<
  Omit<TaskRunnerApiDeps, 'documentClient' | 'tableName'>
> {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  callbacks: TaskCallbacks;
  port?: number;
}

export interface TaskRunnerServer {
  endpoint: string;
  api: TaskRunnerApi;
  /** Requests whose client still waits for the answer. */
  waitingClients(): number;
  /** Requests the endpoint is still working on, whether or not their client still waits. */
  requestsInProgress(): number;
  close(): Promise<void>;
}

function answer(response: ServerResponse, result: TaskRunnerResult, date: string): void {
  response.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>), date });
  response.end(result.body ?? '');
}

export async function startTaskRunnerServer(options: TaskRunnerServerOptions): Promise<TaskRunnerServer> {
  const { port: wantedPort, ...rest } = options;
  const now = options.now ?? Date.now;
  const api = createTaskRunnerApi({
    now,
    region: LOCAL_REGION,
    sleep: realSleep,
    pollWindowMs: DEFAULT_POLL_WINDOW_MS,
    pollIntervalMs: DEFAULT_POLL_INTERVAL_MS,
    ...rest,
  });
  let port = 0;
  let waiting = 0;
  let inProgress = 0;
  const server: Server = createServer((request, response) => {
    waiting++;
    inProgress++;
    // The client gave up (its own timeout, a stopped runner): the endpoint stops polling for it and hands back a
    // task it claimed, instead of leasing it to nobody.
    const abandoned = new AbortController();
    response.once('close', () => {
      waiting--;
      if (!response.writableFinished) abandoned.abort();
    });
    const done = () => inProgress--;
    // SDKs correct their clock skew from Date; it must come from the same clock the endpoint checks against.
    const date = () => new Date(now()).toUTCString();
    const tooLarge = () => {
      // Stop reading: the rest of the body is never buffered, and the connection closes after the answer.
      request.pause();
      response.setHeader('connection', 'close');
      response.once('finish', () => request.destroy());
      answer(response, requestTooLarge(), date());
    };
    if (Number(request.headers['content-length'] ?? 0) > MAX_REQUEST_BODY_BYTES) {
      done();
      return tooLarge();
    }
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      // A chunked body declares no length: the cap applies while it streams in.
      if (received > MAX_REQUEST_BODY_BYTES) {
        if (!response.headersSent) {
          done();
          tooLarge();
        }
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (received > MAX_REQUEST_BODY_BYTES) return;
      api(toFunctionUrlEvent(request, Buffer.concat(chunks), port), { signal: abandoned.signal })
        .then((result) => answer(response, result, date()))
        .catch(() => {
          response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify({ __type: 'InternalServiceError', message: 'Local server error' }));
        })
        .finally(done);
    });
  });
  // Long polls hold a request for the whole window; the default 5 s keep-alive and request timeouts would not.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wantedPort ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    api,
    waitingClients: () => waiting,
    requestsInProgress: () => inProgress,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const dynamo = await startDynamoDb();
  const client = localDynamoDbClient(dynamo.endpoint);
  const tableName = 'task-queue';
  await createTaskQueueTable(client, tableName);
  const documentClient = createDocumentClient(client);
  const callbacks = new InMemoryTaskCallbacks();
  const server = await startTaskRunnerServer({
    documentClient,
    tableName,
    callbacks,
    port: Number(argument('--port') ?? 8787),
    pollWindowMs: Number(argument('--poll-window') ?? DEFAULT_POLL_WINDOW_MS / 1000) * 1000,
  });
  const workerGroup = argument('--worker-group') ?? 'local';
  const credential = await createRunnerCredential([workerGroup], {
    documentClient,
    tableName,
    now: Date.now,
  });
  console.log(
    JSON.stringify({ endpoint: server.endpoint, dynamoDbEndpoint: dynamo.endpoint, tableName, credential }),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
