// Stage settings of the task-runner functions (endpoint, enqueue, reclaim), read the way every handler reads its
// settings: parsed once from the Lambda environment, a missing or bad variable named in a StageSettingsError.
import * as z from 'zod/mini';
import { parseStageEnvironment } from '../config/stage-environment';
import { DEFAULT_POLL_INTERVAL_MS, DEFAULT_POLL_WINDOW_MS } from './poll-for-task';

export interface TaskRunnerSettings {
  tableName: string;
  /** Lambda sets AWS_REGION; runners must sign for it. */
  region: string;
  pollWindowMs: number;
  pollIntervalMs: number;
}

/** A positive number, or `fallback` when the variable is absent or empty. */
const positiveNumber = (fallback: number) =>
  z.pipe(
    z.pipe(
      z.optional(z.string()),
      z.transform((raw: string | undefined) => (raw === undefined || raw === '' ? fallback : Number(raw))),
    ),
    z.number().check(z.positive('must be a positive number')),
  );

const taskRunnerEnvironment = z.object({
  TASK_QUEUE_TABLE: z.string().check(z.minLength(1)),
  AWS_REGION: z.string().check(z.minLength(1)),
  POLL_WINDOW_SECONDS: positiveNumber(DEFAULT_POLL_WINDOW_MS / 1000),
  POLL_INTERVAL_MS: positiveNumber(DEFAULT_POLL_INTERVAL_MS),
});

export function readTaskRunnerSettings(env: NodeJS.ProcessEnv = process.env): TaskRunnerSettings {
  const e = parseStageEnvironment(taskRunnerEnvironment, env);
  return {
    tableName: e.TASK_QUEUE_TABLE,
    region: e.AWS_REGION,
    pollWindowMs: e.POLL_WINDOW_SECONDS * 1000,
    pollIntervalMs: e.POLL_INTERVAL_MS,
  };
}
