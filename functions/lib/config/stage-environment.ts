// The stage's settings reach the Lambdas as environment variables (set from config/<stage>.yml by serverless.yml).
// Every handler reads its own with a read*Settings function, once (lazy, on first use): a missing or bad setting
// fails the invocation with a StageSettingsError that names the variable. The functions below need a few
// variables each; the config manager's many are in stage-settings.ts, a schema the others' bundles do not build.
// zod/mini rather than zod: every function reads its settings here, and the functional build loads in a third
// of the time (about 4 ms against 13 ms) at a fifth of the bundle size. Its messages are zod's English ones
// (zod-english.ts).
import * as z from 'zod/mini';
import '../zod-english';
import { StageSettingsError } from '../errors';
import { fieldPath, formatIssues } from '../format-issues';

export const stageName = z.string().check(z.minLength(1));
export const trackingTable = z.string().check(z.minLength(3));
export const optionalText = z.pipe(
  z.optional(z.string()),
  z.transform((value: string | undefined) => (value?.trim() ? value.trim() : undefined)),
);

/**
 * Parses the variables `schema` names from the Lambda environment. A variable that is absent is reported as
 * `NAME: not set`, a bad one with what is wrong; every problem at once.
 */
export function parseStageEnvironment<Schema extends z.ZodMiniType>(
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
): z.output<Schema> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) =>
    issue.code === 'invalid_type' && issue.path.length === 1 && env[fieldPath(issue.path)] === undefined
      ? { ...issue, message: 'not set' }
      : issue,
  );
  throw new StageSettingsError(
    `Invalid stage settings in the Lambda environment: ${formatIssues({ issues })}`,
  );
}

/** The status and completion handlers need only the tracking table. */
export interface TrackingSettings {
  trackingTable: string;
}

export function readTrackingSettings(env: NodeJS.ProcessEnv = process.env): TrackingSettings {
  const e = parseStageEnvironment(z.object({ TRACKING_TABLE: trackingTable }), env);
  return { trackingTable: e.TRACKING_TABLE };
}

/** Complete Extract Run closes runs and reports those with failed tables to the stage's alarm topic. */
export interface CompleteRunSettings extends TrackingSettings {
  stage: string;
  region: string;
  /** Unset where there is no SNS (local mode): nothing is published. */
  alarmTopicArn?: string;
}

export function readCompleteRunSettings(env: NodeJS.ProcessEnv = process.env): CompleteRunSettings {
  const e = parseStageEnvironment(
    z.object({
      STAGE: stageName,
      TRACKING_TABLE: trackingTable,
      AWS_REGION: z.string().check(z.minLength(1)),
      ALARM_TOPIC_ARN: optionalText,
    }),
    env,
  );
  return {
    trackingTable: e.TRACKING_TABLE,
    stage: e.STAGE,
    region: e.AWS_REGION,
    alarmTopicArn: e.ALARM_TOPIC_ARN,
  };
}

/** Cancel Extract Run closes a stopped run's records and withdraws its runner tasks. */
export interface CancelRunSettings extends TrackingSettings {
  taskQueueTable: string;
}

export function readCancelRunSettings(env: NodeJS.ProcessEnv = process.env): CancelRunSettings {
  const e = parseStageEnvironment(
    z.object({ TRACKING_TABLE: trackingTable, TASK_QUEUE_TABLE: z.string().check(z.minLength(3)) }),
    env,
  );
  return { trackingTable: e.TRACKING_TABLE, taskQueueTable: e.TASK_QUEUE_TABLE };
}

/** The upload trigger starts executions of the stage's state machine for configs under its prefix. */
export interface UploadTriggerSettings {
  stateMachineArn: string;
  triggerPrefix: string;
}

export function readUploadTriggerSettings(env: NodeJS.ProcessEnv = process.env): UploadTriggerSettings {
  const e = parseStageEnvironment(
    z.object({
      STATE_MACHINE_ARN: z.string().check(z.minLength(1)),
      TRIGGER_PREFIX: z._default(z.string(), ''),
    }),
    env,
  );
  return { stateMachineArn: e.STATE_MACHINE_ARN, triggerPrefix: e.TRIGGER_PREFIX };
}
