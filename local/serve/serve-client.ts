// `npm start` against a running serve instance: finds it through endpoints.json, asks its control endpoint to
// start the run, then follows the run in the tracking table as any other tool would.
import { createDocumentClient } from '../../functions/clients/dynamodb';
import type { JobScript } from '../runtime/job-backend';
import type { ProgressCounts } from '../progress';
import { readRunSummary, type RunSummary } from '../summary';
import { CommandError } from '../../cli/command-line';
import { readEndpoints, type LocalEndpoints } from '../stack/endpoints-file';
import { localDynamoDbClient, localS3Client } from '../stack/emulators';
import { processAlive } from '../process-alive';
import { LOCAL_STAGE } from '../stack/local-stack';
import { deployedStageTable } from '../stack/stage-environment';
import { findWaitingTables, waitingGroups, type WaitingGroup } from '../waiting-tables';

const POLL_INTERVAL_MS = 300;
/** The task queue is read every this many polls (about 3 s) while runner tables are unfinished. */
const WAITING_EVERY_POLLS = 10;

export interface RemoteRunRequest {
  event: Record<string, unknown>;
  /** A config file to run instead of the one in the bucket (uploaded outside the trigger prefix). */
  config?: { name: string; text: string };
  mock?: JobScript;
}

export interface RemoteRunStarted {
  executionName: string;
  runId: string;
}

export interface RemoteRunState {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  runId: string;
  retries: Record<string, number>;
  error?: string;
  cause?: string;
}

/**
 * How long a running serve instance may take to answer its health check. A busy instance on a loaded machine can
 * take seconds, and a run handed to standalone mode instead would not be the one serve and `status` show.
 */
const SERVE_HEALTH_BOUND_MS = 15_000;

/**
 * The serve instance that endpoints.json names, or undefined when none runs there (no file, or one left by an
 * instance that was killed). A live instance that does not answer in time is an error, not a standalone run.
 */
export async function findServeInstance(
  dataDir: string,
  boundMs = SERVE_HEALTH_BOUND_MS,
): Promise<LocalEndpoints | undefined> {
  const endpoints = readEndpoints(dataDir);
  if (!endpoints?.control || !processAlive(endpoints.pid)) return undefined;
  try {
    const response = await fetch(`${endpoints.control}/health`, { signal: AbortSignal.timeout(boundMs) });
    return response.ok ? endpoints : undefined;
  } catch (error) {
    if ((error as Error).name !== 'TimeoutError') {
      // Nothing listens there: the instance is gone and its pid now names another process.
      return undefined;
    }
    throw new CommandError(
      `the serve instance on ${dataDir} (pid ${endpoints.pid}) did not answer ${endpoints.control}/health ` +
        `within ${boundMs / 1000} s: try again once it is less busy, or stop it`,
    );
  }
}

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json' } });
  const body = (await response.json()) as T & { message?: string };
  if (!response.ok) throw new CommandError(`serve mode: ${body.message ?? response.statusText}`);
  return body;
}

export function startRemoteRun(endpoints: LocalEndpoints, request: RemoteRunRequest) {
  return call<RemoteRunStarted>(`${endpoints.control}/runs`, {
    method: 'POST',
    body: JSON.stringify(request),
  });
}

export function readRemoteRun(endpoints: LocalEndpoints, executionName: string) {
  return call<RemoteRunState>(`${endpoints.control}/runs/${encodeURIComponent(executionName)}`);
}

/** Asks the serve instance to stop a run's execution; resolves once its records are closed. */
export async function cancelRemoteRun(
  endpoints: LocalEndpoints,
  runId: string,
): Promise<(RemoteRunState & { executionName: string }) | undefined> {
  const response = await fetch(`${endpoints.control}/cancel`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ runId }),
  });
  if (response.status === 404) return undefined;
  const body = (await response.json()) as RemoteRunState & { executionName: string; message?: string };
  if (!response.ok) throw new CommandError(`serve mode: ${body.message ?? response.statusText}`);
  return body;
}

/** Polls the tracking table until the run record is closed; progress comes from the table records. */
export async function followRemoteRun(
  endpoints: LocalEndpoints,
  started: RemoteRunStarted,
  onProgress: (counts: ProgressCounts) => void,
): Promise<RunSummary> {
  const dynamodb = localDynamoDbClient(endpoints.dynamodb);
  const store = { db: createDocumentClient(dynamodb), tableName: endpoints.trackingTable };
  const s3 = localS3Client(endpoints.s3);
  const queue = {
    documentClient: store.db,
    tableName: deployedStageTable(LOCAL_STAGE, 'taskQueueTable').tableName,
    now: Date.now,
  };
  let waiting: WaitingGroup[] = [];
  try {
    for (let poll = 0; ; poll++) {
      // The tables without a record (the run's table list) only when the task queue is read for them.
      const lookForWaiting = poll % WAITING_EVERY_POLLS === 0;
      const summary = await readRunSummary(store, started.runId, undefined, lookForWaiting ? s3 : undefined);
      if (summary) {
        const { counts } = summary;
        // A run whose runner tables wait for a runner says so, instead of going silent.
        if (lookForWaiting && counts.pending > 0)
          waiting = waitingGroups(await findWaitingTables(started.runId, summary.tables, queue));
        onProgress({
          total: counts.tables,
          succeeded: counts.succeeded,
          failed: counts.failed,
          running: counts.pending,
          ...(counts.pending > 0 && waiting.length ? { waiting } : {}),
        });
      }
      if (summary && summary.status !== 'RUNNING') {
        const state = await readRemoteRun(endpoints, started.executionName);
        // Complete Extract Run closes the record before serve's execution has ended and counted its retries.
        if (state.status !== 'RUNNING')
          return { ...summary, ...(await readRunSummary(store, started.runId, state.retries)) };
      }
      if (!summary) {
        // No run record yet: either the config manager has not run, or the execution died before it could.
        const state = await readRemoteRun(endpoints, started.executionName);
        if (state.status !== 'RUNNING' && !(await readRunSummary(store, started.runId))) {
          return {
            runId: started.runId,
            status: 'FAILED',
            executionName: started.executionName,
            ...(state.error ? { error: state.error, cause: state.cause } : {}),
            counts: { tables: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0, pending: 0 },
            tables: [],
          };
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  } finally {
    dynamodb.destroy();
    s3.destroy();
  }
}
