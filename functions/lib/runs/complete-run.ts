// Complete Extract Run's work, without Lambda around it: every table of the run without an outcome gets FAILED
// (OutcomeNotRecorded), and the run record its counts and final status.
import type { JobOutcome } from '../jobs/job-outcome';
import { closeUnrecordedTables } from '../tracking/close-unrecorded-tables';
import { closeRunRecord } from '../tracking/close-run-record';
import { overallRunStatus, type RunStatus } from '../tracking/tracking-records';
import { readRunRecord, type RunInfo, type TrackingStore } from '../tracking/tracking-store';
import { runTables, type S3ClientOnDemand } from './run-tables';

export interface CompletedRun {
  run_id: string;
  status: RunStatus;
  table_count: number;
  succeeded: number;
  failed: number;
  skipped: number;
  /** The first failures with their reasons; the tracking table has them all. */
  failed_tables: { table: string; error?: string; cause?: string }[];
}

const OUTCOME_NOT_RECORDED: JobOutcome & { status: 'FAILED' } = {
  status: 'FAILED',
  attempts: 0,
  error: 'OutcomeNotRecorded',
  cause:
    'The run ended without an outcome for this table (its status could not be recorded); check the execution history',
};

/**
 * Closes a run: tables without an outcome get FAILED, and the run record gets its counts and final status. The
 * function holds the names of the recorded tables and a chunk of the list, not the records: its memory grows by a
 * few MB per 100,000 tables.
 */
export async function completeRun(
  store: TrackingStore,
  s3: S3ClientOnDemand,
  run: RunInfo,
  now: Date,
): Promise<CompletedRun> {
  // No run record: the update below fails on its condition, as a run that never started cannot complete.
  const record = await readRunRecord(store, run.run_id);
  const tally = await closeUnrecordedTables(
    store,
    run,
    runTables(s3, record ?? {}),
    OUTCOME_NOT_RECORDED,
    now,
    {
      tableCount: record?.table_count,
    },
  );
  const status = overallRunStatus({ ...tally, pending: 0 });

  await closeRunRecord(store, run, {
    status,
    endedAt: now.toISOString(),
    counts: tally,
    condition: 'exists',
  });

  return {
    run_id: run.run_id,
    status,
    table_count: tally.tables,
    succeeded: tally.succeeded,
    failed: tally.failed,
    skipped: tally.skipped,
    failed_tables: tally.failed_tables,
  };
}
