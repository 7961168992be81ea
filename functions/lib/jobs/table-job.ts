// A run's Map item: what the config manager writes for each table, what `Choose Job Type` routes on, what the job
// states send and what the status handler reads back. Its own file because all of those read it and only the
// config manager builds it.
import type { EcsTaskRequest } from './launchers/ecs';
import type { EmrJobRequest } from './launchers/emr';
import type { GlueJobRequest } from './launchers/glue';
import type { RunnerTaskRequest } from './launchers/runner';
import type { TableWatermark } from '../watermarks/table-watermark';

/** A job state's Catch output, or the reason the config manager refused a table, in the same shape. */
export interface JobError {
  Error: string;
  Cause: string;
}

/** One Map item: what `Choose Job Type` routes on and the job states send. */
export interface TableJob {
  table: string;
  job_type: string;
  source_type?: string;
  request?: GlueJobRequest | EmrJobRequest | EcsTaskRequest | RunnerTaskRequest;
  /** A watermark table's column, last watermark and report location (docs/incremental-extracts.md). */
  watermark?: TableWatermark;
  /** Set when the table cannot run; the status handler records it FAILED with this reason. */
  error?: JobError;
}
