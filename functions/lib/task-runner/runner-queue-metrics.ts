// Runner queue depth and live runners per worker group, as plain values: the scheduled reclaim function hands them
// to Powertools Metrics every minute. Dimensions are bounded: the MAX_GROUP_DIMENSIONS groups with the deepest
// queues (then the most runners) get a WorkerGroup dimension each, the rest are summed under OTHER_GROUPS, and the
// stage totals carry no WorkerGroup at all, so a thousand worker groups cost at most 21 metric series per metric.
import { listLiveRunners } from './runner-heartbeats';
import type { TaskQueueDeps } from './task-item';
import { countQueuedTasks, listWorkerGroups } from './worker-groups';

export const MAX_GROUP_DIMENSIONS = 20;
export const OTHER_GROUPS = '(other groups)';

export interface GroupQueue {
  workerGroup: string;
  queued: number;
  liveRunners: number;
}

export interface RunnerQueueMetrics {
  totals: { queued: number; liveRunners: number };
  /** At most MAX_GROUP_DIMENSIONS groups, then OTHER_GROUPS if any were left out. */
  groups: GroupQueue[];
}

export async function measureRunnerQueues(deps: TaskQueueDeps): Promise<RunnerQueueMetrics> {
  const [known, runners] = await Promise.all([listWorkerGroups(deps), listLiveRunners(undefined, deps)]);
  const live = new Map<string, number>();
  for (const runner of runners)
    if (runner.workerGroup) live.set(runner.workerGroup, (live.get(runner.workerGroup) ?? 0) + 1);
  const names = new Set([...known.map((g) => g.workerGroup), ...live.keys()]);
  const groups: GroupQueue[] = [];
  for (const workerGroup of names)
    groups.push({
      workerGroup,
      queued: await countQueuedTasks(workerGroup, deps),
      liveRunners: live.get(workerGroup) ?? 0,
    });
  groups.sort(
    (a, b) =>
      b.queued - a.queued || b.liveRunners - a.liveRunners || a.workerGroup.localeCompare(b.workerGroup),
  );
  const shown = groups.slice(0, MAX_GROUP_DIMENSIONS);
  const rest = groups.slice(MAX_GROUP_DIMENSIONS);
  const sum = (list: GroupQueue[], key: 'queued' | 'liveRunners') => list.reduce((n, g) => n + g[key], 0);
  return {
    totals: { queued: sum(groups, 'queued'), liveRunners: sum(groups, 'liveRunners') },
    groups:
      rest.length > 0
        ? [
            ...shown,
            { workerGroup: OTHER_GROUPS, queued: sum(rest, 'queued'), liveRunners: sum(rest, 'liveRunners') },
          ]
        : shown,
  };
}
