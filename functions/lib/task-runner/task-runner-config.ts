// Stage settings of the task-runner endpoint, read once from the Lambda environment.
import { DEFAULT_POLL_INTERVAL_MS, DEFAULT_POLL_WINDOW_MS } from './poll-for-task';

export class TaskRunnerSettingsError extends Error {
  override name = 'TaskRunnerSettingsError';
}

export interface TaskRunnerConfig {
  tableName: string;
  pollWindowMs: number;
  pollIntervalMs: number;
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new TaskRunnerSettingsError(`${name} must be a positive number.`);
  return value;
}

export function loadTaskRunnerConfig(env: NodeJS.ProcessEnv): TaskRunnerConfig {
  const tableName = env.TASK_QUEUE_TABLE;
  if (!tableName) throw new TaskRunnerSettingsError('TASK_QUEUE_TABLE is not set.');
  return {
    tableName,
    pollWindowMs: positiveNumber(env, 'POLL_WINDOW_SECONDS', DEFAULT_POLL_WINDOW_MS / 1000) * 1000,
    pollIntervalMs: positiveNumber(env, 'POLL_INTERVAL_MS', DEFAULT_POLL_INTERVAL_MS),
  };
}
