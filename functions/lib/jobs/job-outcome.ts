// Reads a table's outcome out of whatever the job state produced: the service's .sync result on success,
// or the Catch's {Error, Cause} on failure, where Cause is often the service's own JSON description of the
// failed run. Each service names its fields differently; this is the one place that knows how.
import { unsupportedJobType } from '../config/job-types';
import type { JobError } from './table-job';

/** CANCELLED: the run was stopped (npm run cancel, StopExecution) before the table had an outcome. */
export type TableStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'CANCELLED';

export interface JobOutcome {
  status: Exclude<TableStatus, 'PENDING'>;
  job_run_id?: string;
  /** ISO-8601, from the service where it reports one. */
  started_at?: string;
  attempts: number;
  error?: string;
  cause?: string;
  /** runner: how long the table's task waited in the queue for a runner (a metric, not recorded). */
  queue_wait_seconds?: number;
  /** runner: the `watermark` field of its progress reports, as sent (settled by watermarks/settle-watermark.ts). */
  reported_watermark?: unknown;
  /** Watermark tables: recorded as the table record's fields of the same names. */
  watermark_from?: string;
  watermark_to?: string;
  watermark_warning?: string;
}

type Json = Record<string, unknown>;

const MAX_CAUSE_LENGTH = 4000;

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** Services report times as epoch milliseconds, epoch seconds or ISO strings. */
function isoTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value < 1e11 ? value * 1000 : value).toISOString();
  }
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return undefined;
}

function parseCause(cause: string): Json | undefined {
  try {
    return asObject(JSON.parse(cause));
  } catch {
    return undefined;
  }
}

interface RunDetails {
  jobRunId?: string;
  startedAt?: string;
  attempts?: number;
  message?: string;
  queueWaitSeconds?: number;
  reportedWatermark?: unknown;
}

function readRunDetails(jobType: string, body: Json | undefined): RunDetails {
  if (!body) return {};
  if (jobType === 'glue') {
    const attempt = typeof body.Attempt === 'number' ? body.Attempt + 1 : undefined;
    return {
      jobRunId: text(body.Id),
      startedAt: isoTime(body.StartedOn),
      attempts: attempt,
      message: text(body.ErrorMessage),
    };
  }
  if (jobType === 'emr') {
    const run = asObject(body.JobRun) ?? asObject(body.jobRun) ?? body;
    return {
      jobRunId: text(run.JobRunId) ?? text(run.jobRunId),
      startedAt: isoTime(run.CreatedAt ?? run.createdAt),
      message: text(run.StateDetails) ?? text(run.stateDetails),
    };
  }
  if (jobType === 'ecs') {
    const container = asObject(Array.isArray(body.Containers) ? body.Containers[0] : undefined);
    const exit =
      container && typeof container.ExitCode === 'number' ? `exit code ${container.ExitCode}` : undefined;
    return {
      jobRunId: text(body.TaskArn),
      startedAt: isoTime(body.StartedAt ?? body.CreatedAt),
      message:
        [text(body.StoppedReason), text(container?.Reason), exit].filter(Boolean).join('; ') || undefined,
    };
  }
  if (jobType === 'runner') {
    // The task-runner endpoint's outcome: {taskId, attemptId, attempt, status, reason?, queuedAt, leasedAt?}.
    // The job started when a runner took the task; until then it waited in the queue.
    const queuedAt = isoTime(body.queuedAt);
    const leasedAt = isoTime(body.leasedAt);
    const wait = queuedAt && leasedAt ? (Date.parse(leasedAt) - Date.parse(queuedAt)) / 1000 : undefined;
    return {
      jobRunId: text(body.attemptId) ?? text(body.taskId),
      attempts: typeof body.attempt === 'number' ? body.attempt : undefined,
      message: text(body.reason),
      startedAt: leasedAt,
      ...(wait !== undefined && wait >= 0 ? { queueWaitSeconds: wait } : {}),
      ...(body.watermark !== undefined ? { reportedWatermark: body.watermark } : {}),
    };
  }
  return {};
}

/** The first container of an ECS task that stopped with a non-zero exit code, described; else undefined. */
function nonZeroExit(task: Json | undefined): string | undefined {
  const containers = Array.isArray(task?.Containers) ? task.Containers : [];
  for (const container of containers.map(asObject)) {
    const code = container?.ExitCode;
    if (typeof code === 'number' && code !== 0) {
      const reason = text(container?.Reason) ?? text(task?.StoppedReason);
      return `container ${text(container?.Name) ?? '?'} exited with code ${code}${reason ? `: ${reason}` : ''}`;
    }
  }
  return undefined;
}

function truncate(value: string): string {
  return value.length > MAX_CAUSE_LENGTH ? `${value.slice(0, MAX_CAUSE_LENGTH)}…` : value;
}

export function describeJobOutcome(
  jobType: string,
  result: unknown,
  error: JobError | undefined,
): JobOutcome {
  if (error) {
    const details = readRunDetails(jobType, parseCause(error.Cause ?? ''));
    return {
      status: 'FAILED',
      job_run_id: details.jobRunId,
      started_at: details.startedAt,
      attempts: details.attempts ?? 1,
      error: error.Error || 'UnknownError',
      cause: truncate(details.message ?? error.Cause ?? ''),
      ...(details.queueWaitSeconds !== undefined ? { queue_wait_seconds: details.queueWaitSeconds } : {}),
    };
  }
  if (result !== undefined && result !== null) {
    const body = asObject(result);
    const details = readRunDetails(jobType, body);
    // The Step Functions guide promises ecs:runTask.sync fails on RunTask Failures, not on a container's exit
    // code: a task whose container exited non-zero can come back as a success, so the exit code decides here.
    const exited = jobType === 'ecs' ? nonZeroExit(body) : undefined;
    if (exited) {
      return {
        status: 'FAILED',
        job_run_id: details.jobRunId,
        started_at: details.startedAt,
        attempts: details.attempts ?? 1,
        error: 'NonZeroExitCode',
        cause: truncate(exited),
      };
    }
    // A runner's precondition that is not met (SetTaskStatus FALSE) means there was nothing to extract.
    const skipped = body?.status === 'SKIPPED';
    return {
      status: skipped ? 'SKIPPED' : 'SUCCEEDED',
      job_run_id: details.jobRunId,
      started_at: details.startedAt,
      attempts: details.attempts ?? 1,
      ...(skipped && details.message ? { cause: details.message } : {}),
      ...(details.queueWaitSeconds !== undefined ? { queue_wait_seconds: details.queueWaitSeconds } : {}),
      ...(details.reportedWatermark !== undefined ? { reported_watermark: details.reportedWatermark } : {}),
    };
  }
  // Neither a result nor an error: `Choose Job Type` found no job state for this job type.
  return {
    status: 'FAILED',
    attempts: 0,
    error: 'UnknownJobTypeError',
    cause: `job_type ${unsupportedJobType(jobType)}`,
  };
}
