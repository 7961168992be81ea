// Closing a run's tables: no record is written for a table until its outcome is (one partition key per run takes
// 1,000 writes a second, so 100,000 records up front would cost 100 s before any table starts). A table that never
// got an outcome has no record at all, and whoever closes the run (Complete, Cancel or Record Failed Run, serve
// mode's interrupted runs) finds it by going through the run's table list and skipping the tables with a record.
import { forEachAtMost } from '../for-each-at-most';
import type { JobOutcome, TableStatus } from '../jobs/job-outcome';
import type { TableJob } from '../jobs/table-job';
import { releaseTableLeases } from './table-leases';
import { recordTableOutcome, runTablePages, type RunInfo, type TrackingStore } from './tracking-store';

/** A line of the run's table list (functions/lib/runs/run-table-list.ts): what a table's record needs. */
export type RunTableEntry = Pick<TableJob, 'table' | 'job_type' | 'source_type'>;

/** Leftover outcomes written at once: the run's partition key takes 1,000 writes a second. */
export const LEFTOVER_PARALLELISM = 4;
/** Leftovers gathered from the list before they are written: bounds what is held, not the writes. */
const LEFTOVER_CHUNK = 1000;
const MAX_LISTED_FAILURES = 25;

export interface RunTally {
  tables: number;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
  /** The first failures with their reasons; the tracking table has them all. */
  failed_tables: { table: string; error?: string; cause?: string }[];
  /** The tables this call gave the outcome (the others had one). */
  closed: string[];
}

type FinalOutcome = JobOutcome & { status: 'FAILED' | 'CANCELLED' };

function count(
  tally: RunTally,
  table: string,
  status: TableStatus,
  reason: { error?: string; cause?: string },
) {
  tally.tables++;
  if (status === 'SUCCEEDED') tally.succeeded++;
  else if (status === 'SKIPPED') tally.skipped++;
  else if (status === 'CANCELLED') tally.cancelled++;
  else if (status === 'FAILED') {
    tally.failed++;
    if (tally.failed_tables.length < MAX_LISTED_FAILURES)
      tally.failed_tables.push({ table, error: reason.error, cause: reason.cause });
  }
}

/**
 * Counts the run's records and gives `outcome` to every table of `tables` (the run's list) without one, releasing
 * its lease. The records are read a page at a time into the set of recorded names only (a few MB at 100,000
 * tables), the list a line at a time. Each leftover write is conditional on there being no outcome, so an outcome
 * recorded after the records were read wins, and is counted as it is. A PENDING record (written by versions that
 * wrote one per table up front) counts as no outcome; a run of such a version has no list, and its PENDING
 * records are the leftovers. When the records already number the run's `tableCount`, every listed table has one
 * and the list is not read (the common case of a run that completes). `beforeEach` runs before a leftover is
 * written (cancel withdraws a runner's task).
 */
export async function closeUnrecordedTables(
  store: TrackingStore,
  run: RunInfo,
  tables: AsyncIterable<RunTableEntry> | undefined,
  outcome: FinalOutcome,
  now: Date,
  options: { tableCount?: number; beforeEach?: (entry: RunTableEntry) => Promise<void> } = {},
): Promise<RunTally> {
  const { tableCount, beforeEach } = options;
  const tally: RunTally = {
    tables: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    cancelled: 0,
    failed_tables: [],
    closed: [],
  };
  const recorded = new Set<string>();
  const pendingRecords: RunTableEntry[] = [];
  for await (const page of runTablePages(store, run.run_id)) {
    for (const record of page) {
      if (record.status === 'PENDING') {
        if (!tables)
          pendingRecords.push({
            table: record.table,
            job_type: record.job_type,
            source_type: record.source_type,
          });
        continue;
      }
      recorded.add(record.table);
      count(tally, record.table, record.status, record);
    }
  }

  const close = async (leftovers: RunTableEntry[]) => {
    const closed: string[] = [];
    const writes: Awaited<ReturnType<typeof recordTableOutcome>>[] = [];
    await forEachAtMost(leftovers, LEFTOVER_PARALLELISM, async (entry, index) => {
      await beforeEach?.(entry);
      writes[index] = await recordTableOutcome(store, run, entry, outcome, now);
    });
    // Counted in the list's order, not in the order the writes happened to end in.
    leftovers.forEach((entry, index) => {
      const written = writes[index]!;
      if (written.applied) closed.push(entry.table);
      count(tally, entry.table, written.status, written.applied ? outcome : written);
    });
    // A refused table never took a lease, and one taken over meanwhile is its new holder's: the release is
    // conditional on this run holding it.
    await releaseTableLeases(store, closed, run.run_id);
    tally.closed.push(...closed);
  };
  let leftovers: RunTableEntry[] = [];
  const everyTableRecorded = tableCount !== undefined && recorded.size >= tableCount;
  for await (const entry of everyTableRecorded ? [] : (tables ?? pendingRecords)) {
    if (recorded.has(entry.table)) continue;
    // A table listed twice is closed once.
    recorded.add(entry.table);
    leftovers.push(entry);
    if (leftovers.length >= LEFTOVER_CHUNK) {
      await close(leftovers);
      leftovers = [];
    }
  }
  await close(leftovers);
  return tally;
}
