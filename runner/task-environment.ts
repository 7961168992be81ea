// How a task's fields reach its command: as environment variables, because job arguments such as
// `--table` are not valid variable names and commands should not have to parse a JSON blob.
//
// Mapping (documented for command authors):
//   job argument `--table`        -> EXTRACT_TABLE
//   job argument `--target-path`  -> EXTRACT_TARGET_PATH       (leading dashes dropped, upper-cased,
//   job argument `--s3.bucket`    -> EXTRACT_S3_BUCKET          every other character outside A-Z0-9 -> `_`)
//   taskId / attemptId / pipelineId / workerGroup -> EXTRACT_TASK_ID / EXTRACT_ATTEMPT_ID / EXTRACT_RUN_ID /
//                                                   EXTRACT_WORKER_GROUP
// Data Pipeline's own fields (`@…`, `type`, `command`, `parent`, …) are not passed. When two arguments sanitize
// to the same name, the one listed later in the task wins.
import type { TaskObject } from '@aws-sdk/client-data-pipeline';

const PIPELINE_KEYS = new Set([
  'type',
  'command',
  'workerGroup',
  'parent',
  'schedule',
  'reportProgressTimeout',
]);

export function environmentVariableFor(key: string): string {
  const name = key
    .replace(/^-+/, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '_');
  return `EXTRACT_${name}`;
}

export interface TaskSummary {
  taskId: string;
  attemptId: string;
  runId: string;
  command?: string;
  type?: string;
  workerGroup?: string;
  /** The task's `reportProgressTimeout`: how long the endpoint waits for a report before it takes the task back. */
  reportProgressTimeoutMs?: number;
  fields: [string, string][];
}

const PERIOD_UNIT_MS: Record<string, number> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** A Data Pipeline period such as `900 seconds`, `15 minutes` or `1 hour`; undefined if it is not one. */
export function parsePeriodMs(period: string): number | undefined {
  const match = /^\s*(\d+)\s*(second|minute|hour|day)s?\s*$/i.exec(period);
  if (!match) return undefined;
  const ms = Number(match[1]) * PERIOD_UNIT_MS[match[2]!.toLowerCase()]!;
  return ms > 0 ? ms : undefined;
}

export function summarizeTask(task: TaskObject): TaskSummary {
  const attemptId = task.attemptId ?? '';
  const object = task.objects?.[attemptId] ?? Object.values(task.objects ?? {})[0];
  const fields: [string, string][] = [];
  let command: string | undefined;
  let type: string | undefined;
  let workerGroup: string | undefined;
  let reportProgressTimeoutMs: number | undefined;
  for (const field of object?.fields ?? []) {
    if (field.key === undefined || field.stringValue === undefined) continue;
    if (field.key === 'command') command = field.stringValue;
    else if (field.key === 'type') type = field.stringValue;
    else if (field.key === 'workerGroup') workerGroup = field.stringValue;
    else if (field.key === 'reportProgressTimeout')
      reportProgressTimeoutMs = parsePeriodMs(field.stringValue);
    if (field.key.startsWith('@') || PIPELINE_KEYS.has(field.key)) continue;
    fields.push([field.key, field.stringValue]);
  }
  return {
    taskId: task.taskId ?? '',
    attemptId,
    runId: task.pipelineId ?? '',
    command,
    type,
    workerGroup,
    reportProgressTimeoutMs,
    fields,
  };
}

export function taskEnvironment(task: TaskSummary): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of task.fields) env[environmentVariableFor(key)] = value;
  env.EXTRACT_TASK_ID = task.taskId;
  env.EXTRACT_ATTEMPT_ID = task.attemptId;
  env.EXTRACT_RUN_ID = task.runId;
  if (task.workerGroup) env.EXTRACT_WORKER_GROUP = task.workerGroup;
  return env;
}
