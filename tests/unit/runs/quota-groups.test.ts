// How a run's tables split into quota groups: one per job type and runner worker group present, each at the
// stage's quota, in a stable order, with the refused tables in a group of their own.
import { uniformQuotas, type ConcurrencyQuotas } from '../../../functions/lib/config/concurrency-quotas';
import type { TableJob } from '../../../functions/lib/jobs/table-job';
import { groupByQuota } from '../../../functions/lib/runs/quota-groups';

const QUOTAS: ConcurrencyQuotas = {
  glue: 2,
  emr: 3,
  ecs: 4,
  runner: 5,
  workerGroups: { 'onprem-db': 1 },
};

function job(table: string, job_type: string, extra: Partial<TableJob> = {}): TableJob {
  return { table, job_type, ...extra };
}

function runnerJob(table: string, worker_group: string): TableJob {
  return job(table, 'runner', { request: { worker_group } as never });
}

const summary = (groups: ReturnType<typeof groupByQuota>) =>
  groups.map((group) => [group.group, group.file, group.max_concurrency, group.jobs.map((j) => j.table)]);

describe('quota groups', () => {
  it('puts each job type in its own group at its quota, skipping the types the run does not use', () => {
    // Act
    const groups = groupByQuota(
      [job('a', 'ecs'), job('b', 'glue'), job('c', 'ecs'), job('d', 'glue')],
      QUOTAS,
      10,
    );

    // Assess
    expect(summary(groups)).toEqual([
      ['glue', 'glue', 2, ['b', 'd']],
      ['ecs', 'ecs', 4, ['a', 'c']],
    ]);
  });

  it('gives each runner worker group its own group, at its named quota or the runner default', () => {
    // Act
    const groups = groupByQuota(
      [runnerJob('a', 'nightly'), runnerJob('b', 'onprem-db'), runnerJob('c', 'nightly')],
      QUOTAS,
      10,
    );

    // Assess: worker group names may hold any character, so their files are numbered
    expect(summary(groups)).toEqual([
      ['runner:nightly', 'runner-1', 5, ['a', 'c']],
      ['runner:onprem-db', 'runner-2', 1, ['b']],
    ]);
  });

  it('groups refused tables and unknown job types apart, at the stage maxConcurrency', () => {
    // Act
    const groups = groupByQuota(
      [
        job('a', 'glue', { error: { Error: 'TableJobError', Cause: 'bad' } }),
        job('b', 'dms'),
        job('c', 'runner'),
        job('d', 'emr'),
      ],
      QUOTAS,
      10,
    );

    // Assess: a refused Glue table uses no Glue run, so it is not held to the Glue quota
    expect(summary(groups)).toEqual([
      ['emr', 'emr', 3, ['d']],
      ['invalid', 'invalid', 10, ['a', 'b', 'c']],
    ]);
  });

  it('has no group at all for a run without tables', () => {
    expect(groupByQuota([], uniformQuotas(4), 4)).toEqual([]);
  });
});
