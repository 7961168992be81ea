// Resolves which tables a run extracts and builds each one's job request: the Map's items. Every table asked
// for yields exactly one item, valid or not, so that every table ends with a record.
import { buildEcsRequest } from './launchers/ecs';
import { buildEmrRequest } from './launchers/emr';
import { buildGlueRequest } from './launchers/glue';
import { buildRunnerRequest } from './launchers/runner';
import type { TableJob } from './table-job';
import { JOB_TYPES, type ExtractConfig, type JobType, type TableConfig } from '../config/extract-config';
import { buildJobArguments, type RunContext } from './job-arguments';
import type { StageSettings } from '../config/stage-settings';
import { tableWatermark, type TableWatermark } from '../watermarks/table-watermark';

function isJobType(value: string): value is JobType {
  return (JOB_TYPES as readonly string[]).includes(value);
}

function buildRequest(
  table: TableConfig,
  settings: StageSettings,
  run: RunContext,
  watermark: TableWatermark | undefined,
): TableJob['request'] {
  const args = buildJobArguments(table, run, watermark);
  switch (table.job_type as JobType) {
    case 'glue':
      return buildGlueRequest(table, args, settings.glue);
    case 'emr':
      return buildEmrRequest(table, args, settings.emr, run);
    case 'ecs':
      return buildEcsRequest(table, args, settings.ecs);
    case 'runner':
      return buildRunnerRequest(table, args);
  }
}

function buildTableJob(table: TableConfig, settings: StageSettings, run: RunContext): TableJob {
  const job: TableJob = { table: table.name, job_type: table.job_type, source_type: table.source_type };
  // An unknown job type gets no request and no error: `Choose Job Type` sends it down its Default branch
  // and the status handler records it FAILED, naming the value.
  if (!isJobType(table.job_type)) return job;
  try {
    const watermark = tableWatermark(table, run.watermarks);
    return {
      ...job,
      request: buildRequest(table, settings, run, watermark),
      ...(watermark ? { watermark } : {}),
    };
  } catch (error) {
    const { name, message } = error as Error;
    return { ...job, error: { Error: name, Cause: `${table.name}: ${message}` } };
  }
}

export interface TableSelection {
  jobs: TableJob[];
  /** Tables named more than once in tables_to_extract: extracted once, reported on the run record. */
  repeated: string[];
}

export function buildTableJobs(
  config: ExtractConfig,
  requested: string[] | undefined,
  settings: StageSettings,
  run: RunContext,
  /** The cause of a requested table that the config does not have (a re-run says which run named it). */
  notInConfig = (name: string) =>
    `${name}: tables_to_extract names a table that is not in the extract config`,
): TableSelection {
  const byName = new Map(config.tables.map((table) => [table.name, table]));
  const invalidByName = new Map(config.invalid.map((entry) => [entry.name, entry]));

  const invalidJob = (name: string): TableJob | undefined => {
    const entry = invalidByName.get(name);
    return (
      entry && {
        table: name,
        job_type: entry.job_type,
        error: { Error: 'ConfigValidationError', Cause: entry.error },
      }
    );
  };

  if (!requested) {
    // No list: every enabled table, plus every unusable entry so that its problem is recorded.
    const jobs = config.tables.filter((t) => t.enabled).map((t) => buildTableJob(t, settings, run));
    for (const entry of config.invalid) jobs.push(invalidJob(entry.name)!);
    return { jobs, repeated: [] };
  }

  const seen = new Set<string>();
  const repeated = new Set<string>();
  const jobs: TableJob[] = [];
  for (const name of requested) {
    if (seen.has(name)) {
      repeated.add(name);
      continue;
    }
    seen.add(name);
    const table = byName.get(name);
    if (table) {
      // Asking for a disabled table by name is deliberate, so it runs.
      jobs.push(buildTableJob(table, settings, run));
      continue;
    }
    jobs.push(
      invalidJob(name) ?? {
        table: name,
        job_type: 'unknown',
        error: {
          Error: 'TableNotInConfigError',
          Cause: notInConfig(name),
        },
      },
    );
  }
  return { jobs, repeated: [...repeated] };
}
