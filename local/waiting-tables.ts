// Which of a run's unfinished runner tables wait for a runner, read from the task queue: the table's latest
// hand-off is QUEUED, in its worker group, and the group's item says when a runner last polled it. `npm run
// status` shows such a table WAITING instead of PENDING, and `npm start` says so instead of going silent.
import { latestTaskId } from '../functions/lib/task-runner/handoff-counter';
import { getTask, type TaskQueueDeps } from '../functions/lib/task-runner/task-item';
import { readWorkerGroup } from '../functions/lib/task-runner/worker-groups';
import type { TableStatus } from '../functions/lib/jobs/job-outcome';

/** Past this many unfinished runner tables, the rest are shown PENDING (two reads each). */
export const MAX_WAITING_LOOKUPS = 100;
/** Runners long-poll for 90 s at a time: a group polled this recently has runners, busy ones. */
const RECENT_POLL_MS = 2 * 60 * 1000;

export interface Waiting {
  workerGroup: string;
  queuedAt: string;
  /** When a runner last polled the group; undefined if none has. */
  lastPolledAt?: string;
}

/** A worker group's waiting tables, for the progress line. */
export interface WaitingGroup {
  workerGroup: string;
  tables: number;
  lastPolledAt?: string;
}

/** Waiting details by table name, for the run's PENDING runner tables whose task is queued. */
export async function findWaitingTables(
  runId: string,
  tables: { table: string; status: TableStatus; jobType: string }[],
  deps: TaskQueueDeps,
): Promise<Map<string, Waiting>> {
  const waiting = new Map<string, Waiting>();
  const groups = new Map<string, Promise<string | undefined>>();
  const candidates = tables
    .filter((t) => t.status === 'PENDING' && t.jobType === 'runner')
    .slice(0, MAX_WAITING_LOOKUPS);
  await Promise.all(
    candidates.map(async ({ table }) => {
      const taskId = await latestTaskId(runId, table, deps);
      const task = taskId ? await getTask(taskId, deps) : undefined;
      if (task?.status !== 'QUEUED') return;
      if (!groups.has(task.workerGroup))
        groups.set(
          task.workerGroup,
          readWorkerGroup(task.workerGroup, deps).then((g) => g.lastPolledAt),
        );
      const lastPolledAt = await groups.get(task.workerGroup);
      waiting.set(table, {
        workerGroup: task.workerGroup,
        queuedAt: task.queuedAt,
        ...(lastPolledAt ? { lastPolledAt } : {}),
      });
    }),
  );
  return waiting;
}

/** The waiting tables counted per worker group, most first. */
export function waitingGroups(waiting: Map<string, Waiting>): WaitingGroup[] {
  const groups = new Map<string, WaitingGroup>();
  for (const { workerGroup, lastPolledAt } of waiting.values()) {
    const group = groups.get(workerGroup) ?? {
      workerGroup,
      tables: 0,
      ...(lastPolledAt ? { lastPolledAt } : {}),
    };
    group.tables++;
    groups.set(workerGroup, group);
  }
  return [...groups.values()].sort(
    (a, b) => b.tables - a.tables || a.workerGroup.localeCompare(b.workerGroup),
  );
}

function ago(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes}m`
    : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** "no runner has polled it for 14m", "no runner has ever polled it", or a recent poll (busy runners). */
export function pollNote(lastPolledAt: string | undefined, nowMs: number): string {
  if (!lastPolledAt) return 'no runner has ever polled it';
  const since = nowMs - Date.parse(lastPolledAt);
  // A recent poll means runners are there but busy: the table waits its turn, it is not stranded.
  return since < RECENT_POLL_MS
    ? `a runner polled it ${ago(since)} ago (its runners are busy)`
    : `no runner has polled it for ${ago(since)}`;
}

/** A waiting table's note: its worker group, how long it has been queued, and when a runner last polled. */
export function describeWaiting(waiting: Waiting, nowMs: number): string {
  return (
    `waiting for a runner of worker group ${waiting.workerGroup} ` +
    `(queued ${ago(nowMs - Date.parse(waiting.queuedAt))} ago): ${pollNote(waiting.lastPolledAt, nowMs)}`
  );
}

/** The progress line's note: "2 waiting for a runner of onprem-db: no runner has polled it for 3m". */
export function describeWaitingGroups(groups: WaitingGroup[], nowMs: number): string {
  const [first, ...rest] = groups;
  if (!first) return '';
  return (
    `${first.tables} waiting for a runner of ${first.workerGroup}: ${pollNote(first.lastPolledAt, nowMs)}` +
    (rest.length ? ` (and ${rest.reduce((n, g) => n + g.tables, 0)} in ${rest.length} more groups)` : '')
  );
}
