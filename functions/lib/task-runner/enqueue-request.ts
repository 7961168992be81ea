// The payload the state machine sends when it queues a `runner` table (lambda:invoke.waitForTaskToken).
import * as z from 'zod/mini';
import '../zod-english';
import { fieldPath } from '../format-issues';
import {
  attemptLimit,
  DEFAULT_REPORT_PROGRESS_TIMEOUT_SECONDS,
  DEFAULT_RUNNER_ATTEMPT_LIMIT,
  MAX_FIELD_VALUE_LENGTH,
  MAX_WORKER_GROUP_LENGTH,
  reportProgressTimeoutSeconds,
} from './runner-limits';
import type { NewTask } from './task-item';

/** Named so that the state machine's Catch can tell a malformed request from a transient failure. */
export class InvalidRunnerTaskError extends Error {
  override name = 'InvalidRunnerTaskError';
}

// Values end up as Data Pipeline field values (at most 10240 characters) and keys as field keys (1-256).
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const enqueueSchema = z.object({
  // Step Functions task tokens are up to 2048 characters (SendTaskSuccess's limit).
  task_token: text(1, 2048),
  run_id: text(1, 512),
  table: text(1, 256),
  // The state machine's retry number. Checked, not used: a state machine retry and a lease re-queue both hand the
  // table out again, so attempt numbers come from the table's hand-off count (handoff-counter.ts).
  attempt: z.int().check(z.minimum(1)),
  worker_group: text(1, MAX_WORKER_GROUP_LENGTH),
  command: z.optional(text(1, MAX_FIELD_VALUE_LENGTH)),
  fields: z._default(
    z.record(
      text(1, 256).check(
        z.refine((key) => !key.startsWith('@'), { error: "keys starting with '@' are reserved" }),
      ),
      z.string().check(z.maxLength(MAX_FIELD_VALUE_LENGTH)),
    ),
    {},
  ),
  report_progress_timeout_seconds: z._default(
    reportProgressTimeoutSeconds,
    DEFAULT_REPORT_PROGRESS_TIMEOUT_SECONDS,
  ),
  attempt_limit: z._default(attemptLimit, DEFAULT_RUNNER_ATTEMPT_LIMIT),
});

export type EnqueueRequest = z.input<typeof enqueueSchema>;

export function parseEnqueueRequest(event: unknown): NewTask {
  const parsed = enqueueSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidRunnerTaskError(
      `Invalid runner task field '${fieldPath(issue?.path ?? []) || 'payload'}': ${issue?.message ?? 'invalid'}`,
    );
  }
  const request = parsed.data;
  return {
    taskToken: request.task_token,
    runId: request.run_id,
    table: request.table,
    workerGroup: request.worker_group,
    ...(request.command !== undefined ? { command: request.command } : {}),
    fields: request.fields,
    reportProgressTimeoutSeconds: request.report_progress_timeout_seconds,
    attemptLimit: request.attempt_limit,
  };
}
