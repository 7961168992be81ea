// Shapes a queued task like Data Pipeline's PollForTask sample response: one attempt object whose fields carry the
// table's job arguments next to Data Pipeline's own `@`-prefixed bookkeeping fields, so existing runners that
// read `command`, `workerGroup` or `@scheduledStartTime` keep working.
import type { TaskItem } from './task-item';

export type TaskField = { key: string; stringValue: string } | { key: string; refValue: string };

export interface PipelineObject {
  id: string;
  name: string;
  fields: TaskField[];
}

export interface TaskObject {
  taskId: string;
  pipelineId: string;
  attemptId: string;
  objects: Record<string, PipelineObject>;
}

/** Data Pipeline timestamps have no zone suffix and no milliseconds. */
const pipelineTime = (iso: string) => iso.replace(/\.\d{3}Z$/, '').replace(/Z$/, '');

/** `@<table>_<runId>`: the activity instance, i.e. this table in this run. */
export const instanceIdFor = (task: Pick<TaskItem, 'table' | 'runId'>) => `@${task.table}_${task.runId}`;

/** `@<table>_<runId>_Attempt=<n>`: run, table and attempt number, as Data Pipeline names attempt objects. */
export const attemptIdFor = (task: Pick<TaskItem, 'table' | 'runId' | 'attempt'>) =>
  `${instanceIdFor(task)}_Attempt=${task.attempt}`;

export function toTaskObject(task: TaskItem): TaskObject {
  const attemptId = attemptIdFor(task);
  const instanceId = instanceIdFor(task);
  const fields: TaskField[] = [
    { key: '@componentParent', refValue: task.table },
    { key: 'parent', refValue: task.table },
    { key: '@instanceParent', refValue: instanceId },
    { key: '@activeInstances', refValue: instanceId },
    { key: '@sphere', stringValue: 'ATTEMPT' },
    { key: '@status', stringValue: 'WAITING_FOR_RUNNER' },
    { key: '@version', stringValue: '1' },
    { key: '@pipelineId', stringValue: task.runId },
    { key: '@scheduledStartTime', stringValue: pipelineTime(task.scheduledStartTime) },
    { key: '@actualStartTime', stringValue: pipelineTime(task.leasedAt ?? task.queuedAt) },
    { key: '@attemptNumber', stringValue: String(task.attempt) },
    { key: 'workerGroup', stringValue: task.workerGroup },
    { key: 'reportProgressTimeout', stringValue: `${task.reportProgressTimeoutSeconds} seconds` },
    { key: 'type', stringValue: task.command !== undefined ? 'ShellCommandActivity' : 'Activity' },
  ];
  if (task.command !== undefined) fields.push({ key: 'command', stringValue: task.command });
  for (const [key, value] of Object.entries(task.fields)) fields.push({ key, stringValue: value });
  return {
    taskId: task.taskId,
    pipelineId: task.runId,
    attemptId,
    objects: { [attemptId]: { id: attemptId, name: attemptId, fields } },
  };
}
