// Serve mode's control endpoint on 127.0.0.1 (never another interface: it starts runs without credentials).
//   GET  /health            is serve mode up
//   POST /runs              start a run ({event, config?, mock?}), as `npm start` does against serve
//   GET  /runs/<execution>  a run's execution state and the state machine's retries per table
//   POST /cancel            stop a run's execution ({runId}) and close its records CANCELLED, as a deployed
//                           StopExecution and the stopped-run rule do; 404 when no execution here runs it
//   POST /s3-events         deliver an EventBridge "Object Created" event ({detail}) to the upload trigger,
//                           e.g. to replay one: a repeated event starts nothing
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ObjectCreatedDetail } from '../../functions/lib/runs/upload-trigger';
import { parseMockFile } from '../runtime/mock-file';
import type { RemoteRunRequest } from './serve-client';
import type { ServeRuns } from './serve-runs';

export interface ControlServer {
  endpoint: string;
  close(): Promise<void>;
}

class BadRequest extends Error {}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new BadRequest('the request body must be a JSON object');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function route(runs: ServeRuns, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  if (request.method === 'GET' && path === '/health')
    return send(response, 200, { ok: true, pid: process.pid });
  if (request.method === 'POST' && path === '/runs') {
    const body = await readJson(request);
    const event = body.event ?? {};
    if (typeof event !== 'object' || Array.isArray(event))
      throw new BadRequest('event: must be a JSON object');
    const mock = body.mock === undefined ? undefined : parseMockFile(JSON.stringify(body.mock), 'mock');
    const config = body.config as RemoteRunRequest['config'];
    if (config !== undefined && (typeof config?.name !== 'string' || typeof config.text !== 'string'))
      throw new BadRequest('config: must be {name, text}');
    const started = await runs.startFromCommand({ event: event as Record<string, unknown>, config, mock });
    return send(response, 202, started);
  }
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (request.method === 'GET' && run) {
    const state = runs.state(decodeURIComponent(run[1]!));
    return state ? send(response, 200, state) : send(response, 404, { message: 'no such execution' });
  }
  if (request.method === 'POST' && path === '/cancel') {
    const runId = (await readJson(request)).runId;
    if (typeof runId !== 'string' || !runId) throw new BadRequest('runId: must be a run id');
    const stopped = await runs.cancel(runId);
    return stopped
      ? send(response, 200, stopped)
      : send(response, 404, { message: `no running execution of run ${runId} in this serve instance` });
  }
  if (request.method === 'POST' && path === '/s3-events') {
    const detail = (await readJson(request)).detail as ObjectCreatedDetail | undefined;
    if (typeof detail?.object?.key !== 'string' || typeof detail.bucket?.name !== 'string')
      throw new BadRequest('detail: must be an S3 Object Created detail with bucket.name and object.key');
    return send(response, 200, (await runs.onObjectCreated(detail)) ?? { started: false, reason: 'ignored' });
  }
  send(response, 404, { message: `no route ${request.method} ${path}` });
}

export async function startControlServer(runs: ServeRuns, port = 0): Promise<ControlServer> {
  const server = createServer((request, response) => {
    route(runs, request, response).catch((error: Error) => {
      const status = error instanceof BadRequest || error.name === 'MockFileError' ? 400 : 500;
      send(response, status, { message: error.message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
