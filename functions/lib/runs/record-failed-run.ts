// `Record Failed Run`: the state machine's Catch on the Extract Config Manager lands here whatever stopped it.
// The config manager records its own errors (failRun), but a timeout, a crash or running out of memory skips
// that, and a run must never vanish without a record. So the run record is written FAILED from the execution's
// own facts (its input, name and start time, and the error Step Functions caught), unless the config manager
// already did. A run record that names its table list (the config manager got that far) has every listed table
// without an outcome failed with the run's reason: none of them started, as the Maps come after the config
// manager. The config manager writes the list before the run record, and sets table_count only with it: a run
// record without a list has no tables (table_count 0), and a re-run of it is refused with a hint to start a new
// run with its input.
import { RUN_ID_PATTERN, runIdOf } from './run-id';
import { runTables, type S3ClientOnDemand } from './run-tables';
import type { JobOutcome } from '../jobs/job-outcome';
import { closeUnrecordedTables } from '../tracking/close-unrecorded-tables';
import { failRun, readRunRecord, type NewRun, type TrackingStore } from '../tracking/tracking-store';

/** What the state machine passes: the execution's context and the Catch's {Error, Cause}. */
export interface FailedRunInput {
  event: unknown;
  execution_name: string;
  execution_start_time: string;
  error: { Error?: string; Cause?: string };
}

export interface FailedRunSummary {
  run_id: string;
  status: 'FAILED';
  error: string;
  cause: string;
  /** False when the record was already FAILED, or belongs to another execution. */
  recorded: boolean;
  failed_tables: number;
}

/** Lambda reports a function error's Cause as JSON {errorType, errorMessage, trace}; others are plain text. */
function describeCause(cause: string | undefined): string {
  if (!cause) return 'no cause was reported';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string' && parsed.errorMessage) return parsed.errorMessage;
  } catch {
    // plain text
  }
  return cause;
}

function eventField(event: unknown, field: 'trigger' | 'config_key' | 'rerun_of'): string | undefined {
  const value = (event as Record<string, unknown> | null)?.[field];
  return typeof value === 'string' && value ? value : undefined;
}

export async function recordFailedRun(
  store: TrackingStore,
  s3: S3ClientOnDemand,
  input: FailedRunInput,
  now: Date,
): Promise<FailedRunSummary> {
  const runId = runIdOf(input.event, input.execution_name);
  const error = Object.assign(new Error(describeCause(input.error.Cause)), {
    name: input.error.Error || 'ConfigManagerFailed',
  });
  const summary = { run_id: runId, status: 'FAILED' as const, error: error.name, cause: error.message };

  const existing = await readRunRecord(store, runId);
  const rerunOf = eventField(input.event, 'rerun_of');
  const ours = !existing || existing.execution_name === input.execution_name;
  if (!ours) return { ...summary, recorded: false, failed_tables: 0 };

  const run: NewRun = {
    run_id: runId,
    execution_name: input.execution_name,
    trigger: existing?.trigger ?? eventField(input.event, 'trigger') ?? 'manual',
    config_key: existing?.config_key ?? eventField(input.event, 'config_key'),
    config_version: existing?.config_version,
    table_count: existing?.table_count ?? 0,
    table_list: existing?.table_list,
    repeated_tables: existing?.repeated_tables,
    rerun_of: existing?.rerun_of ?? (rerunOf && RUN_ID_PATTERN.test(rerunOf) ? rerunOf : undefined),
    started_at: existing?.started_at ?? new Date(input.execution_start_time || now).toISOString(),
  };
  // A config manager that recorded its own failure (failRun) may have written its table list first (e.g. a table
  // lease or the items file failed): its fuller record stays, and those tables are still failed below with its
  // reason.
  const ownRecord = existing?.status === 'FAILED';
  if (ownRecord)
    Object.assign(error, { name: existing.error ?? error.name, message: existing.cause ?? error.message });
  const recorded = ownRecord ? false : await failRun(store, run, error, now.toISOString());

  const outcome: JobOutcome & { status: 'FAILED' } = {
    status: 'FAILED',
    attempts: 0,
    error: 'RunFailed',
    cause: `The run failed before this table started: ${error.name}: ${error.message}`.slice(0, 4000),
  };
  const runInfo = { run_id: runId, started_at: run.started_at, max_concurrency: 0 };
  const failedTables = existing
    ? (
        await closeUnrecordedTables(store, runInfo, runTables(s3, existing), outcome, now, {
          tableCount: existing.table_count,
        })
      ).closed.length
    : 0;

  return { ...summary, recorded, failed_tables: failedTables };
}
