// What a watermark table's job is told and where it reports (docs/incremental-extracts.md): the config manager
// builds it from the table's config and the stored watermark, it travels on the table's Map item, and the status
// handler reads it back to settle the new high-water mark.
import type { TableConfig } from '../config/extract-config';
import type { StoredWatermark } from './watermark-store';
import { DEFAULT_WATERMARK_TYPE, type WatermarkType } from './watermark-kinds';
import { TableJobError } from '../errors';

export interface S3Object {
  bucket: string;
  key: string;
}

/** A watermark table's part of its Map item. */
export interface TableWatermark {
  column: string;
  type: WatermarkType;
  /** The last successful watermark; absent on a first run, a full refresh, or after the column or type changed. */
  from?: string;
  /** Glue, EMR, ECS: where the job writes `{"watermark": "..."}`. Runners report through the protocol instead. */
  report?: S3Object;
}

/** What the config manager knows about a run's watermarks when it builds the jobs. */
export interface RunWatermarks {
  /** Stored watermarks by table (empty on a full refresh). */
  last: ReadonlyMap<string, StoredWatermark>;
  /** Where the run's reports go: `<runItemsPrefix><run_id>/watermarks/` in the config bucket. */
  reports: { bucket: string; prefix: string };
}

export function watermarkReportPrefix(runItemsPrefix: string, runId: string): string {
  return `${runItemsPrefix}${runId}/watermarks/`;
}

/** The tables whose watermarks a run needs: the watermark tables it will extract. */
export function watermarkTablesOf(
  tables: readonly TableConfig[],
  requested: readonly string[] | undefined,
): string[] {
  const wanted = requested && new Set(requested);
  return tables
    .filter((table) => table.watermark_column && (wanted ? wanted.has(table.name) : table.enabled))
    .map((table) => table.name);
}

export function tableWatermark(
  table: TableConfig,
  run: RunWatermarks | undefined,
): TableWatermark | undefined {
  if (!table.watermark_column) {
    if (table.watermark_type)
      throw new TableJobError('watermark_type: set without watermark_column, which names what it orders');
    return undefined;
  }
  const type = table.watermark_type ?? DEFAULT_WATERMARK_TYPE;
  const stored = run?.last.get(table.name);
  // A value kept for another column or type says nothing about this one: start from nothing.
  const from =
    stored && stored.column === table.watermark_column && stored.type === type ? stored.value : undefined;
  return {
    column: table.watermark_column,
    type,
    ...(from !== undefined ? { from } : {}),
    ...(run && table.job_type !== 'runner'
      ? { report: { bucket: run.reports.bucket, key: `${run.reports.prefix}${table.name}.json` } }
      : {}),
  };
}

/** The arguments every job type receives for a watermark table (shaped per service like the others). */
export function watermarkArguments(watermark: TableWatermark): Record<string, string> {
  return {
    '--watermark_column': watermark.column,
    '--watermark_type': watermark.type,
    ...(watermark.from !== undefined ? { '--last_watermark': watermark.from } : {}),
    ...(watermark.report
      ? { '--watermark_report_uri': `s3://${watermark.report.bucket}/${watermark.report.key}` }
      : {}),
  };
}
