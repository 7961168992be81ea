// The Extract Config Manager's work, without Lambda around it: validate the event, load the config, resolve the
// tables, record the run, and hand the Map its items. A run that cannot start is still recorded (FAILED, with
// the reason) before the error is raised, so it never vanishes without a trace.
import type { S3Client } from '@aws-sdk/client-s3';
import { buildTableJobs } from '../jobs/build-table-jobs';
import { InvalidEventError } from '../errors';
import { parseExtractRunEvent } from './extract-run-event';
import { writeQuotaGroups, type S3ObjectLocation, type S3PrefixLocation } from './quota-groups';
import { runIdOf } from './run-id';
import { runTableListLocation, writeRunTableList } from './run-table-list';
import { resolveRerunTables } from './resolve-rerun-tables';
import { linkRerun } from '../tracking/link-rerun';
import { acquireTableLeases } from '../tracking/table-leases';
import { readExtractConfig } from '../config/read-extract-config';
import type { StageSettings } from '../config/stage-settings';
import { failRun, startRun, type NewRun, type RunInfo, type TrackingStore } from '../tracking/tracking-store';
import { loadRunWatermarks } from '../watermarks/load-run-watermarks';

/** The config manager's Lambda payload, built by the state machine from the event and the context object. */
export interface ConfigManagerInput {
  event: unknown;
  execution_name: string;
  execution_start_time: string;
}

/**
 * What the state machine carries on: a reference to the run's quota groups, not the table jobs themselves, so the
 * payload stays the same few hundred bytes whatever the table count (a state payload is capped at 256 KB).
 */
export interface PreparedRun {
  run: RunInfo;
  /** The quota groups file: the outer Map's items (functions/lib/runs/quota-groups.ts). */
  groups: S3ObjectLocation;
  results: S3PrefixLocation;
  table_count: number;
  group_count: number;
}

export interface PrepareDeps {
  s3: S3Client;
  store: TrackingStore;
  settings: StageSettings;
  now?: () => Date;
}

export async function prepareExtractRun(input: ConfigManagerInput, deps: PrepareDeps): Promise<PreparedRun> {
  const now = deps.now ?? (() => new Date());
  const startedAt = new Date(input.execution_start_time || now()).toISOString();
  const draft: NewRun = {
    run_id: runIdOf(input.event, input.execution_name),
    execution_name: input.execution_name,
    trigger: 'manual',
    started_at: startedAt,
    table_count: 0,
  };

  try {
    const event = parseExtractRunEvent(input.event, deps.settings.maxTablesPerRun);
    draft.trigger = event.trigger;
    draft.rerun_of = event.rerun_of;
    const rerun = await resolveRerunTables(deps.store, event, draft.run_id, {
      maxTables: deps.settings.maxTablesPerRun,
    });
    draft.config_key = event.config_key ?? rerun?.config_key ?? deps.settings.defaultConfigKey;
    const config = await readExtractConfig(deps.s3, {
      bucket: deps.settings.configBucket,
      key: draft.config_key,
      version: event.config_version,
    });
    draft.config_version = config.version ?? event.config_version;

    if (event.full_refresh) draft.full_refresh = true;
    const requested = rerun?.tables ?? event.tables_to_extract;
    const watermarks = await loadRunWatermarks(deps.store, {
      run_id: draft.run_id,
      tables: config.tables,
      requested,
      full_refresh: event.full_refresh,
      bucket: deps.settings.configBucket,
      runItemsPrefix: deps.settings.runItemsPrefix,
    });
    const selection = buildTableJobs(
      config,
      requested,
      deps.settings,
      { run_id: draft.run_id, watermarks },
      rerun?.notInConfig,
    );
    if (selection.jobs.length > deps.settings.maxTablesPerRun) {
      throw new InvalidEventError(
        `tables: the config selects ${selection.jobs.length} tables, more than this stage's limit of ${deps.settings.maxTablesPerRun} per run; pass tables_to_extract in batches`,
      );
    }
    if (selection.repeated.length > 0) draft.repeated_tables = selection.repeated;

    // The table list first (keyed by execution, so another execution's run keeps its own): a run record that
    // names its list, FAILED or not, can always be closed table by table. Then the run is claimed, before any
    // item the Maps read: a run_id that belongs to another execution must not overwrite its items.
    const tableList = runTableListLocation(deps.settings, draft.run_id, input.execution_name);
    await writeRunTableList(deps.s3, tableList, selection.jobs);
    draft.table_count = selection.jobs.length;
    draft.table_list = tableList;
    await startRun(deps.store, draft);
    if (rerun) await linkRerun(deps.store, rerun.rerun_of, draft.run_id);
    // After the run is RUNNING (a run taking over a lease reads its holder's status): a table another run is
    // extracting carries TableAlreadyRunning and is recorded FAILED instead of starting twice.
    const jobs = await acquireTableLeases(deps.store, draft.run_id, selection.jobs, now());
    const { groups, results, quotaGroups } = await writeQuotaGroups(
      deps.s3,
      deps.settings,
      draft.run_id,
      jobs,
    );
    return {
      run: { run_id: draft.run_id, started_at: startedAt, max_concurrency: deps.settings.maxConcurrency },
      groups,
      results,
      table_count: selection.jobs.length,
      group_count: quotaGroups.length,
    };
  } catch (error) {
    if ((error as Error).name !== 'RunAlreadyExistsError') {
      await failRun(deps.store, draft, error as Error, now().toISOString());
    }
    throw error;
  }
}
