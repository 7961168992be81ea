// A serve instance runs its executions in its own process: when it stops before they end (killed, or Ctrl-C past
// the wait), nothing would ever close their records, and `npm run status` would list them RUNNING forever. Such
// runs are closed FAILED with an "interrupted" cause: at the next start, and on a shutdown that stops waiting.
import type { S3Client } from '@aws-sdk/client-s3';
import { closeEndedRun } from '../../functions/lib/runs/cancel-run';
import type { TrackingStore } from '../../functions/lib/tracking/tracking-store';
import { runningRuns } from '../../functions/lib/tracking/running-runs';

export const RUN_INTERRUPTED = 'RunInterrupted';

/**
 * Closes every RUNNING run of the table as an ended execution's run is closed (closeEndedRun): its tables without
 * an outcome FAILED, then the run FAILED with its counts, both with RunInterrupted and `cause`. Only for a table no
 * live execution writes to. Returns the run ids.
 */
export async function failInterruptedRuns(
  store: TrackingStore,
  s3: S3Client,
  cause: string,
  now = new Date(),
): Promise<string[]> {
  // All of them first: closing a run moves it off the index pages being read.
  const runs = [];
  for await (const run of runningRuns(store)) runs.push(run);
  const ending = { status: 'FAILED', error: RUN_INTERRUPTED, cause } as const;
  for (const run of runs)
    await closeEndedRun(run.run_id, run.execution_name, ending, { store, s3, now: () => now });
  return runs.map((run) => run.run_id);
}
