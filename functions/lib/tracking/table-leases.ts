// "A table is extracted at most once at any moment", across runs: before a run's tables start, the config manager
// takes a lease per table (one item, pk = LEASE#<table>, sk = LEASE), conditional on nobody else holding it. A
// lease held by a run that is no longer RUNNING (ended, failed, cancelled, missing) is stale and taken over; one
// held by a RUNNING run refuses the table (TableAlreadyRunning), which is then recorded FAILED like any refused
// table. The status handler releases a table's lease once its outcome is recorded; Complete Extract Run and
// Cancel Extract Run release the leases of the tables they close. One conditional write per table, no transitions.
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { forEachAtMost } from '../for-each-at-most';
import { isConditionFailure } from '../is-condition-failure';
import type { TableJob } from '../jobs/table-job';
import { runKey, type RunStatus } from './tracking-records';

/** The tracking table (tracking-store's TrackingStore), named here so that the store can release leases too. */
interface TrackingStore {
  db: DynamoDBDocumentClient;
  tableName: string;
}

/** The error name of a table another RUNNING run holds. */
export const TABLE_ALREADY_RUNNING = 'TableAlreadyRunning';

/**
 * How long a lease holds even if its run's record still says RUNNING: a backstop for a run that died without being
 * closed. Longer than any run can last: a table's job state times out after at most 48 h (Glue's and EMR's
 * backstop), and a table waits for its Map slot before that; 7 days leaves room for both.
 */
export const LEASE_BOUND_SECONDS = 7 * 24 * 3600;
/** DynamoDB's TTL removes an item within days of its expiry: a day past the bound, so it never cuts one short. */
const LEASE_TTL_MARGIN_SECONDS = 24 * 3600;
/** Conditional puts in flight at once: as many as the tracking store's batch writers send. */
const LEASE_PARALLELISM = 16;

export interface TableLease {
  pk: string;
  sk: 'LEASE';
  entity: 'lease';
  table: string;
  run_id: string;
  acquired_at: string;
  /** Epoch seconds: after this the lease is stale whatever its run's status. */
  lease_expires_at: number;
  /** Epoch seconds, the tracking table's TTL attribute. */
  expires_at: number;
}

export function leaseKey(table: string): { pk: string; sk: 'LEASE' } {
  return { pk: `LEASE#${table}`, sk: 'LEASE' };
}

function leaseItem(table: string, runId: string, now: Date): TableLease {
  const seconds = Math.floor(now.getTime() / 1000);
  return {
    ...leaseKey(table),
    entity: 'lease',
    table,
    run_id: runId,
    acquired_at: now.toISOString(),
    lease_expires_at: seconds + LEASE_BOUND_SECONDS,
    expires_at: seconds + LEASE_BOUND_SECONDS + LEASE_TTL_MARGIN_SECONDS,
  };
}

/** Puts the lease if `condition` holds; false when it does not. */
async function putLease(
  store: TrackingStore,
  lease: TableLease,
  condition: string,
  values: Record<string, unknown>,
): Promise<boolean> {
  try {
    await store.db.send(
      new PutCommand({
        TableName: store.tableName,
        Item: lease,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

async function readLease(store: TrackingStore, table: string): Promise<TableLease | undefined> {
  const { Item } = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: leaseKey(table), ConsistentRead: true }),
  );
  return Item as TableLease | undefined;
}

async function readRunStatus(store: TrackingStore, runId: string): Promise<RunStatus | undefined> {
  const { Item } = await store.db.send(
    new GetCommand({
      TableName: store.tableName,
      Key: runKey(runId),
      ConsistentRead: true,
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
  );
  return Item?.status as RunStatus | undefined;
}

export type LeaseResult = { acquired: true } | { acquired: false; holder: string };

/**
 * Takes table's lease for runId. Free, already ours (a retried config manager) or expired: one conditional put.
 * Otherwise the holder's run record decides: not RUNNING, the lease is taken over (conditional on that holder, so
 * two runs taking over the same stale lease cannot both win); RUNNING, the table is refused.
 */
export async function acquireTableLease(
  store: TrackingStore,
  table: string,
  runId: string,
  now: Date,
  holderStatus: (runId: string) => Promise<RunStatus | undefined>,
): Promise<LeaseResult> {
  const lease = leaseItem(table, runId, now);
  const free = 'attribute_not_exists(pk) OR run_id = :me OR lease_expires_at < :now';
  const freeValues = { ':me': runId, ':now': Math.floor(now.getTime() / 1000) };
  // Two rounds: a lease released or replaced between the failed put and the read is tried once more.
  for (let round = 0; round < 2; round++) {
    if (await putLease(store, lease, free, freeValues)) return { acquired: true };
    const held = await readLease(store, table);
    if (!held) continue;
    if ((await holderStatus(held.run_id)) === 'RUNNING') return { acquired: false, holder: held.run_id };
    if (await putLease(store, lease, 'run_id = :holder', { ':holder': held.run_id }))
      return { acquired: true };
  }
  const held = await readLease(store, table);
  return { acquired: false, holder: held?.run_id ?? 'another run' };
}

/**
 * Takes the lease of every table of the run that can run (a job without error) and returns the jobs, those of a
 * table another RUNNING run holds now carrying a TableAlreadyRunning error that names that run.
 */
export async function acquireTableLeases(
  store: TrackingStore,
  runId: string,
  jobs: TableJob[],
  now: Date,
): Promise<TableJob[]> {
  // One read per distinct holder, whatever the number of its tables.
  const statuses = new Map<string, Promise<RunStatus | undefined>>();
  const holderStatus = (holder: string) => {
    if (!statuses.has(holder)) statuses.set(holder, readRunStatus(store, holder));
    return statuses.get(holder)!;
  };
  const result = [...jobs];
  await forEachAtMost(jobs, LEASE_PARALLELISM, async (job, index) => {
    if (!takesLease(job)) return;
    const lease = await acquireTableLease(store, job.table, runId, now, holderStatus);
    if (!lease.acquired)
      result[index] = {
        table: job.table,
        job_type: job.job_type,
        source_type: job.source_type,
        error: {
          Error: TABLE_ALREADY_RUNNING,
          Cause: `${job.table}: run ${lease.holder} is extracting this table; it was not started again (a table is extracted at most once at any moment)`,
        },
      };
  });
  return result;
}

/**
 * Whether a table takes a lease, and so whether its status handler releases one: a table that can start (a
 * request, no error). A refused table takes none, and a TableAlreadyRunning one's lease is the other run's.
 */
export function takesLease(job: Pick<TableJob, 'error' | 'request'>): boolean {
  return job.request !== undefined && !job.error;
}

/** Releases table's lease if runId still holds it; a lease taken over in the meantime is left to its new holder. */
export async function releaseTableLease(
  store: TrackingStore,
  table: string,
  runId: string,
): Promise<boolean> {
  try {
    await store.db.send(
      new DeleteCommand({
        TableName: store.tableName,
        Key: leaseKey(table),
        ConditionExpression: 'run_id = :me',
        ExpressionAttributeValues: { ':me': runId },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Releases several tables' leases, LEASE_PARALLELISM at a time. */
export async function releaseTableLeases(
  store: TrackingStore,
  tables: string[],
  runId: string,
): Promise<void> {
  await forEachAtMost(tables, LEASE_PARALLELISM, async (table) => {
    await releaseTableLease(store, table, runId);
  });
}
