// A run's tables split by concurrency quota: one group per job type and per runner worker group, each written to
// its own items file, so that the state machine runs each group as its own Distributed Map Run with the group's
// quota as MaxConcurrency (the ASL's `Iterate Through Quota Groups`). A group costs a few state transitions per
// run and nothing per table; a job type with no table in the run has no group, so it costs nothing at all.
//
// Layout under `<runItemsPrefix><run_id>/` in the config bucket:
//   groups.json           the groups (the outer Map's items): name, quota, table count, where its tables are
//   tables/<file>.json    one group's table jobs (the inner Map's items): glue, emr, ecs, runner-<n>, invalid
//   results/              where both Maps write their children's results
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { workerGroupQuota, type ConcurrencyQuotas } from '../config/concurrency-quotas';
import { JOB_TYPES } from '../config/job-types';
import type { StageSettings } from '../config/stage-settings';
import type { TableJob } from '../jobs/table-job';

/** An S3 object: where a Distributed Map reads its items. */
export interface S3ObjectLocation {
  bucket: string;
  key: string;
}

/** An S3 prefix: where a Distributed Map writes its child executions' results. */
export interface S3PrefixLocation {
  bucket: string;
  prefix: string;
}

/**
 * Tables the config manager refused or whose job type no service runs: they only reach the status handler, so
 * they use no job type's quota and run at the stage's maxConcurrency.
 */
export const INVALID_GROUP = 'invalid';

/** One quota group: an item of the outer Map, whose inner Map runs `table_count` tables `max_concurrency` at a time. */
export interface QuotaGroup {
  /** glue, emr, ecs, runner:<worker group> or invalid: what the operator sees on the Map Run. */
  group: string;
  max_concurrency: number;
  table_count: number;
  items: S3ObjectLocation;
}

/** Where a run's groups, table jobs and Map results live in the config bucket: `<prefix><run_id>/…`. */
export function runItemsLocation(
  settings: Pick<StageSettings, 'configBucket' | 'runItemsPrefix'>,
  runId: string,
): { groups: S3ObjectLocation; results: S3PrefixLocation; tablesPrefix: string } {
  const base = `${settings.runItemsPrefix}${runId}`;
  return {
    groups: { bucket: settings.configBucket, key: `${base}/groups.json` },
    results: { bucket: settings.configBucket, prefix: `${base}/results` },
    tablesPrefix: `${base}/tables/`,
  };
}

interface GroupDraft {
  group: string;
  /** The items file's name: worker group names may hold any character, so runner groups are numbered. */
  file: string;
  max_concurrency: number;
  jobs: TableJob[];
}

const SERVICE_JOB_TYPES: readonly string[] = JOB_TYPES.filter((type) => type !== 'runner');

/** The run's jobs by quota group, in a stable order: glue, emr, ecs, runner groups as they first appear, invalid. */
export function groupByQuota(
  jobs: readonly TableJob[],
  quotas: ConcurrencyQuotas,
  maxConcurrency: number,
): GroupDraft[] {
  const groups = new Map<string, GroupDraft>();
  const services = SERVICE_JOB_TYPES.map((type) => ({
    group: type,
    file: type,
    max_concurrency: quotas[type as 'glue' | 'emr' | 'ecs'],
    jobs: [] as TableJob[],
  }));
  const runners = new Map<string, GroupDraft>();
  const invalid: GroupDraft = {
    group: INVALID_GROUP,
    file: INVALID_GROUP,
    max_concurrency: maxConcurrency,
    jobs: [],
  };
  for (const service of services) groups.set(service.group, service);
  for (const job of jobs) {
    const workerGroup = (job.request as { worker_group?: string } | undefined)?.worker_group;
    if (job.error || !JOB_TYPES.includes(job.job_type as never)) invalid.jobs.push(job);
    else if (job.job_type !== 'runner') groups.get(job.job_type)!.jobs.push(job);
    else if (workerGroup === undefined) invalid.jobs.push(job);
    else {
      let runner = runners.get(workerGroup);
      if (!runner) {
        runner = {
          group: `runner:${workerGroup}`,
          file: `runner-${runners.size + 1}`,
          max_concurrency: workerGroupQuota(quotas, workerGroup),
          jobs: [],
        };
        runners.set(workerGroup, runner);
      }
      runner.jobs.push(job);
    }
  }
  return [...services, ...runners.values(), invalid].filter((group) => group.jobs.length > 0);
}

async function putJson(s3: S3Client, location: S3ObjectLocation, value: unknown): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: location.bucket,
      Key: location.key,
      Body: JSON.stringify(value),
      ContentType: 'application/json',
    }),
  );
}

/**
 * Writes each group's table jobs, then the groups file that points at them (last, so the outer Map never reads a
 * group whose tables are not there yet). A retried config manager writes the same objects again, harmlessly.
 */
export async function writeQuotaGroups(
  s3: S3Client,
  settings: Pick<StageSettings, 'configBucket' | 'runItemsPrefix' | 'concurrency' | 'maxConcurrency'>,
  runId: string,
  jobs: readonly TableJob[],
): Promise<{ groups: S3ObjectLocation; results: S3PrefixLocation; quotaGroups: QuotaGroup[] }> {
  const location = runItemsLocation(settings, runId);
  const drafts = groupByQuota(jobs, settings.concurrency, settings.maxConcurrency);
  const quotaGroups = drafts.map((draft): QuotaGroup => ({
    group: draft.group,
    max_concurrency: draft.max_concurrency,
    table_count: draft.jobs.length,
    items: { bucket: settings.configBucket, key: `${location.tablesPrefix}${draft.file}.json` },
  }));
  await Promise.all(drafts.map((draft, i) => putJson(s3, quotaGroups[i]!.items, draft.jobs)));
  await putJson(s3, location.groups, quotaGroups);
  return { groups: location.groups, results: location.results, quotaGroups };
}
