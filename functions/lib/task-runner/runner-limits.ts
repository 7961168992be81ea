// A runner table's defaults and bounds, in one place: the extract config (what a table may ask for), the runner
// launcher (what an unset value becomes) and the enqueue request (what the state machine may send) all read them.
import * as z from 'zod/mini';
import '../zod-english';

/** Data Pipeline's default: a runner that has not reported for 15 minutes has lost the task. */
export const DEFAULT_REPORT_PROGRESS_TIMEOUT_SECONDS = 15 * 60;
/** Less than the 2-minute acknowledgement window makes no sense; a day is the state's own timeout. */
export const MIN_REPORT_PROGRESS_TIMEOUT_SECONDS = 120;
export const MAX_REPORT_PROGRESS_TIMEOUT_SECONDS = 24 * 3600;
export const DEFAULT_RUNNER_ATTEMPT_LIMIT = 3;
export const MAX_RUNNER_ATTEMPT_LIMIT = 10;
/** How often extract-runner reports ReportTaskRunnerHeartbeat (Data Pipeline's own Task Runner: 15 minutes). */
export const RUNNER_HEARTBEAT_INTERVAL_SECONDS = 60;
/**
 * A runner is live while its last heartbeat is at most two intervals and 30 s old: one lost beat or a slow request
 * is not a death, and a stopped runner drops off `status --runners` within 2.5 minutes.
 */
export const RUNNER_LIVE_WINDOW_MS = (2 * RUNNER_HEARTBEAT_INTERVAL_SECONDS + 30) * 1000;
/** PollForTask's workerGroup: 1-1024 characters, matched exactly. */
export const MAX_WORKER_GROUP_LENGTH = 1024;
/** A Data Pipeline field value: the command and every job argument reach the runner as one. */
export const MAX_FIELD_VALUE_LENGTH = 10240;

export const reportProgressTimeoutSeconds = z
  .int()
  .check(z.minimum(MIN_REPORT_PROGRESS_TIMEOUT_SECONDS), z.maximum(MAX_REPORT_PROGRESS_TIMEOUT_SECONDS));
export const attemptLimit = z.int().check(z.minimum(1), z.maximum(MAX_RUNNER_ATTEMPT_LIMIT));
