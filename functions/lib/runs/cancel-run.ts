// Closing a run whose execution ended without reaching Complete Extract Run: stopped (ABORTED: npm run cancel, the
// console's Stop, `aws stepfunctions stop-execution`), TIMED_OUT or FAILED (a Map Run or Complete Extract Run that
// failed). No state of it runs again, so nothing else would ever finish its records, and the run would keep its
// table leases and refuse a re-run. Every table of the run without an outcome (its table list, less its records)
// gets the ending's status, CANCELLED for a stopped run and FAILED otherwise (conditional on there being no
// outcome: one recorded first stays); a runner table's queued task is withdrawn and a leased one marked canceled
// (the runner's next ReportTaskProgress answers `canceled: true` and it stops the command); the tables' leases are
// released; and the run record is closed with the same status and its counts.
// Safe to repeat: EventBridge may deliver the event more than once, and serve mode calls it the same way.
import { isConditionFailure } from '../is-condition-failure';
import { markTaskCanceled } from '../task-runner/cancel-task';
import { latestTaskId } from '../task-runner/handoff-counter';
import type { TaskQueueDeps } from '../task-runner/task-item';
import { closeUnrecordedTables } from '../tracking/close-unrecorded-tables';
import { closeRunRecord } from '../tracking/close-run-record';
import type { RunRecord } from '../tracking/tracking-records';
import { readRunRecord, type TrackingStore } from '../tracking/tracking-store';
import { runTables, type S3ClientOnDemand } from './run-tables';

/** The error name a CANCELLED table and run record carry. */
export const RUN_CANCELLED = 'RunCancelled';

/** The statuses of an execution that ended without Complete Extract Run ("Execution Status Change" events). */
export const UNCLOSED_EXECUTION_STATUSES = ['ABORTED', 'TIMED_OUT', 'FAILED'] as const;
export type UnclosedExecutionStatus = (typeof UNCLOSED_EXECUTION_STATUSES)[number];

/** How the execution ended, and so what the run and its tables without an outcome become. */
export interface RunEnding {
  status: 'CANCELLED' | 'FAILED';
  /** On the run record and on every table this closes. */
  error: string;
  cause: string;
}

/** A stopped run is CANCELLED; one whose execution timed out or failed is FAILED, its error naming which. */
export function runEnding(execution: UnclosedExecutionStatus, name: string, at: string): RunEnding {
  if (execution === 'ABORTED')
    return { status: 'CANCELLED', error: RUN_CANCELLED, cause: `Execution ${name} was stopped at ${at}` };
  const [error, ended] =
    execution === 'TIMED_OUT' ? ['ExecutionTimedOut', 'timed out'] : ['ExecutionFailed', 'failed'];
  return {
    status: 'FAILED',
    error,
    cause: `Execution ${name} ${ended} at ${at}, before the run was closed; see its history`,
  };
}

export interface CancelRunDeps {
  store: TrackingStore;
  /** Reads the run's table list. */
  s3: S3ClientOnDemand;
  /** The task-runner queue; undefined where a stage has none. */
  taskQueue?: Omit<TaskQueueDeps, 'now'>;
  now: () => Date;
}

export type CloseEndedRunResult =
  | { outcome: 'no-run'; run_id: string }
  /** The run id belongs to another execution (this one failed with RunAlreadyExistsError): not this one's run. */
  | { outcome: 'not-ours'; run_id: string; execution_name: string }
  | { outcome: 'already-closed'; run_id: string; status: RunRecord['status'] }
  | {
      outcome: 'closed';
      run_id: string;
      status: RunEnding['status'];
      /** Tables this call gave the ending's status (they had no outcome). */
      closed_tables: string[];
      /** Runner tasks withdrawn from their queue or marked canceled. */
      withdrawn_tasks: number;
      counts: { tables: number; succeeded: number; failed: number; skipped: number; cancelled: number };
      /** False when another call closed the run record first (a repeated event). */
      closed: boolean;
    };

/** The runner table's current hand-off, withdrawn if queued, marked canceled if leased. */
async function withdrawRunnerTask(runId: string, table: string, deps: CancelRunDeps): Promise<boolean> {
  if (!deps.taskQueue) return false;
  const queue = { ...deps.taskQueue, now: () => deps.now().getTime() };
  const taskId = await latestTaskId(runId, table, queue);
  if (!taskId) return false;
  await markTaskCanceled(taskId, queue);
  return true;
}

/**
 * Closes the run of execution `executionName` as `ending` says. A run record of another execution (its run id was
 * taken) is left alone, as is a run that is no longer RUNNING.
 */
export async function closeEndedRun(
  runId: string,
  executionName: string,
  ending: RunEnding,
  deps: CancelRunDeps,
): Promise<CloseEndedRunResult> {
  const { store } = deps;
  const run = await readRunRecord(store, runId);
  if (!run) return { outcome: 'no-run', run_id: runId };
  if (run.execution_name !== executionName)
    return { outcome: 'not-ours', run_id: runId, execution_name: run.execution_name };
  if (run.status !== 'RUNNING') return { outcome: 'already-closed', run_id: runId, status: run.status };

  const now = deps.now();
  const at = now.toISOString();
  let withdrawn = 0;
  const outcome = { status: ending.status, attempts: 0, error: ending.error, cause: ending.cause };
  const runInfo = { run_id: runId, started_at: run.started_at, max_concurrency: 0 };
  const tally = await closeUnrecordedTables(store, runInfo, runTables(deps.s3, run), outcome, now, {
    tableCount: run.table_count,
    beforeEach: async (entry) => {
      // The task first: a runner told `canceled` before the record moves can only end up closed too.
      if (entry.job_type === 'runner' && (await withdrawRunnerTask(runId, entry.table, deps))) withdrawn++;
    },
  });
  const counts = {
    tables: Math.max(run.table_count, tally.tables),
    succeeded: tally.succeeded,
    failed: tally.failed,
    skipped: tally.skipped,
    cancelled: tally.cancelled,
  };
  let closed = true;
  try {
    // A run that completed (or was closed by a repeated event) first keeps its status.
    await closeRunRecord(store, run, {
      status: ending.status,
      endedAt: at,
      counts,
      reason: ending,
      condition: 'running',
    });
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    closed = false;
  }
  return {
    outcome: 'closed',
    run_id: runId,
    status: ending.status,
    closed_tables: tally.closed,
    withdrawn_tasks: withdrawn,
    counts,
    closed,
  };
}
