// A re-run (`rerun_of` in the event): which tables of an earlier run to extract again, read from that run's
// records in the tracking table. The Query filters on status and projects the name only, so a run of 100,000
// tables costs one paginated read and a list no longer than this stage's per-run limit: nothing more is held.
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import { InvalidEventError, NothingToRerunError, RerunNotPossibleError } from '../errors';
import { runKey, TABLE_SORT_KEY_PREFIX, type RunRecord } from '../tracking/tracking-records';
import { readRunRecord, type TrackingStore } from '../tracking/tracking-store';

/** The event's re-run fields. */
export interface RerunRequest {
  rerun_of: string;
  /** Re-run SKIPPED tables too (a precondition said there was nothing to do). Default false. */
  include_skipped?: boolean;
  /** False re-runs every table of the run, whatever its status. Default true. */
  only_failed?: boolean;
}

export interface RerunTables {
  rerun_of: string;
  /** The table names, in the old run's record order (by name). */
  tables: string[];
  /** The config the old run read: the re-run reads it again, as it is now, unless the event names another. */
  config_key?: string;
  /** The cause recorded for a table the config no longer has. */
  notInConfig: (table: string) => string;
}

/** A cause quoted inside another message stays short: the old run's record has it whole. */
const QUOTED_CAUSE_LENGTH = 300;

/**
 * Statuses that count as done. Everything else (FAILED, PENDING left over, and any final status added later,
 * such as CANCELLED) did not succeed, so it is re-run without this list having to know it.
 */
function doneStatuses(request: RerunRequest): string[] {
  if (request.only_failed === false) return [];
  return request.include_skipped ? ['SUCCEEDED'] : ['SUCCEEDED', 'SKIPPED'];
}

function checkRerunnable(oldRun: RunRecord | undefined, request: RerunRequest, runId: string): RunRecord {
  const id = request.rerun_of;
  if (id === runId)
    throw new RerunNotPossibleError(`rerun_of: '${id}' is this run itself; name an earlier run`);
  if (!oldRun) throw new RerunNotPossibleError(`rerun_of: no run '${id}' in the tracking table`);
  if (oldRun.status === 'RUNNING') {
    throw new RerunNotPossibleError(
      `rerun_of: run '${id}' is still RUNNING; re-run it once it has ended (a run whose execution was stopped, timed out or failed is closed by the stage's run-stopped rule)`,
    );
  }
  if (!oldRun.table_count && oldRun.error) {
    const cause = (oldRun.cause ?? '').slice(0, QUOTED_CAUSE_LENGTH);
    throw new RerunNotPossibleError(
      `rerun_of: run '${id}' failed before it had any tables (${oldRun.error}: ${cause}); start a new run with its input instead`,
    );
  }
  return oldRun;
}

function nothingToRerun(oldRun: RunRecord, request: RerunRequest): NothingToRerunError {
  const skipped = oldRun.skipped_count ?? 0;
  const hint =
    skipped > 0 && !request.include_skipped ? '; "include_skipped": true re-runs the skipped ones' : '';
  return new NothingToRerunError(
    `rerun_of: run '${request.rerun_of}' has no table to re-run (${oldRun.succeeded_count ?? 0} succeeded, ${skipped} skipped, of ${oldRun.table_count})${hint}`,
  );
}

/** The re-run's tables, or undefined when the event is not a re-run. */
export async function resolveRerunTables(
  store: TrackingStore,
  event: Partial<RerunRequest>,
  runId: string,
  limits: {
    maxTables: number;
    /** Records read per Query page (DynamoDB's 1 MB page when unset). */ pageSize?: number;
  },
): Promise<RerunTables | undefined> {
  const { maxTables, pageSize } = limits;
  if (!event.rerun_of) return undefined;
  const request = { ...event, rerun_of: event.rerun_of };
  const oldRun = checkRerunnable(await readRunRecord(store, request.rerun_of), request, runId);
  const done = doneStatuses(request);
  const pages = paginateQuery(
    { client: store.db, ...(pageSize ? { pageSize } : {}) },
    {
      TableName: store.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ...(done.length > 0
        ? { FilterExpression: done.map((_, i) => `#status <> :done${i}`).join(' AND ') }
        : {}),
      // `table` and `status` are DynamoDB reserved words.
      ProjectionExpression: '#table',
      ExpressionAttributeNames: { '#table': 'table', ...(done.length > 0 ? { '#status': 'status' } : {}) },
      ExpressionAttributeValues: {
        ':pk': runKey(request.rerun_of).pk,
        ':prefix': TABLE_SORT_KEY_PREFIX,
        ...Object.fromEntries(done.map((status, i) => [`:done${i}`, status])),
      },
      ConsistentRead: true,
    },
  );
  const tables: string[] = [];
  for await (const page of pages) {
    for (const item of page.Items ?? []) tables.push(String(item.table));
    if (tables.length > maxTables) {
      throw new InvalidEventError(
        `rerun_of: run '${request.rerun_of}' has more than ${maxTables} tables to re-run, this stage's limit per run; re-run them in batches with tables_to_extract`,
      );
    }
  }
  if (tables.length === 0) throw nothingToRerun(oldRun, request);
  return {
    rerun_of: request.rerun_of,
    tables,
    config_key: oldRun.config_key,
    notInConfig: (table) =>
      `${table}: rerun_of: run '${request.rerun_of}' had this table, which is no longer in the extract config`,
  };
}
