// Turns a table into the task that `Runner Extract Task` queues for a worker group's self-hosted task runners
// (functions/enqueue-runner-task.ts); the runner receives the job arguments as the task's fields.
import { TableJobError } from '../../errors';
import type { TableConfig } from '../../config/extract-config';
import type { JobArguments } from '../job-arguments';
import {
  DEFAULT_REPORT_PROGRESS_TIMEOUT_SECONDS,
  DEFAULT_RUNNER_ATTEMPT_LIMIT,
} from '../../task-runner/runner-limits';

export interface RunnerTaskRequest {
  worker_group: string;
  command: string;
  fields: JobArguments;
  report_progress_timeout_seconds: number;
  attempt_limit: number;
}

export function buildRunnerRequest(table: TableConfig, args: JobArguments): RunnerTaskRequest {
  if (!table.worker_group)
    throw new TableJobError('worker_group: a runner table needs the worker group that runs it');
  if (!table.command)
    throw new TableJobError('command: a runner table needs the shell command its runner executes');
  return {
    worker_group: table.worker_group,
    command: table.command,
    fields: args,
    report_progress_timeout_seconds:
      table.runner?.report_progress_timeout_seconds ?? DEFAULT_REPORT_PROGRESS_TIMEOUT_SECONDS,
    attempt_limit: table.runner?.attempt_limit ?? DEFAULT_RUNNER_ATTEMPT_LIMIT,
  };
}
