// What the waiting execution hears about a hand-off, and what the task item keeps of it. The run's tracking record
// reads `attempt`, `attemptId` and `reason` from it (jobs/job-outcome.ts), on success from the task's output and
// on failure from the cause, which is therefore JSON too.
import { MAX_CAUSE_LENGTH } from './task-callbacks';
import { attemptIdFor } from './task-object';
import type { TaskItem } from './task-item';

export interface TaskSummary {
  taskId: string;
  attemptId: string;
  /** The table's hand-off number in its run: the tracking record's `attempts`. */
  attempt: number;
  runId: string;
  table: string;
  workerGroup: string;
  runner?: string;
  /** When this hand-off was queued and when a runner took it: the table's queue wait and its job start. */
  queuedAt: string;
  leasedAt?: string;
}

export function taskSummary(task: TaskItem): TaskSummary {
  return {
    taskId: task.taskId,
    attemptId: attemptIdFor(task),
    attempt: task.attempt,
    runId: task.runId,
    table: task.table,
    workerGroup: task.workerGroup,
    ...(task.leaseOwner ? { runner: task.leaseOwner } : {}),
    queuedAt: task.queuedAt,
    ...(task.leasedAt ? { leasedAt: task.leasedAt } : {}),
  };
}

/**
 * The failure's cause for SendTaskFailure: the summary and the reason as JSON, within SendTaskFailure's 32,768
 * characters. The reason is cut from its start, so the end (where a stack trace says what failed) survives.
 */
export function failureCause(task: TaskItem, reason: string): string {
  const envelope = (kept: number) =>
    JSON.stringify({ ...taskSummary(task), reason: reason.slice(reason.length - kept) });
  if (envelope(reason.length).length <= MAX_CAUSE_LENGTH) return envelope(reason.length);
  // JSON escaping makes a character cost 1 to 6: search for the longest tail that fits.
  let fits = 0;
  let tooLong = reason.length;
  while (tooLong - fits > 1) {
    const middle = Math.floor((fits + tooLong) / 2);
    if (envelope(middle).length <= MAX_CAUSE_LENGTH) fits = middle;
    else tooLong = middle;
  }
  return envelope(fits);
}
