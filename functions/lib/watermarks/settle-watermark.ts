// The status handler's part: once a watermark table has an outcome, move its watermark to what the job reported
// (only when it SUCCEEDED, never backwards) and say on the table record what happened. A success whose report is
// missing or unusable stays a success (the data landed), but the watermark stays where it was and the record
// carries a warning: the next run reads again from the old mark, which repeats rows rather than losing any.
import type { S3Client } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { compareWatermarks } from './compare-watermarks';
import { normalizeWatermark } from './normalize-watermark';
import type { TableWatermark } from './table-watermark';
import { advanceWatermark, watermarkKey, type WatermarkStore } from './watermark-store';

export interface WatermarkFields {
  watermark_from?: string;
  watermark_to?: string;
  watermark_warning?: string;
}

export interface SettleDeps {
  /** Asked for only when a report is to be read. */
  s3: () => Promise<S3Client>;
  store: WatermarkStore;
  now: Date;
}

export interface SettledTable {
  table: string;
  run_id: string;
  watermark?: TableWatermark;
  status: string;
  /** A runner's report, from its ReportTaskProgress fields (Glue, EMR and ECS report to S3). */
  reported_by_runner?: unknown;
}

async function storedValue(store: WatermarkStore, table: string): Promise<string | undefined> {
  const { Item } = await store.db.send(
    new GetCommand({
      TableName: store.tableName,
      Key: watermarkKey(table),
      ConsistentRead: true,
      ProjectionExpression: '#value',
      ExpressionAttributeNames: { '#value': 'value' },
    }),
  );
  return Item?.value as string | undefined;
}

/** The table record's watermark fields; moves the stored watermark when the table SUCCEEDED with a usable report. */
export async function settleWatermark(settled: SettledTable, deps: SettleDeps): Promise<WatermarkFields> {
  const { watermark } = settled;
  if (!watermark) return {};
  const fields: WatermarkFields = watermark.from !== undefined ? { watermark_from: watermark.from } : {};
  if (settled.status !== 'SUCCEEDED') return fields;

  // Loaded on first use, with the S3 client: most tables of most runs read no report (see the status handler).
  const report = watermark.report
    ? await (await import('./watermark-report')).readWatermarkReport(await deps.s3(), watermark.report)
    : { reported: settled.reported_by_runner };
  if ('problem' in report) return { ...fields, watermark_warning: `watermark not moved: ${report.problem}` };
  const normalized = normalizeWatermark(watermark.type, report.reported);
  if ('problem' in normalized)
    return { ...fields, watermark_warning: `watermark not moved: ${normalized.problem}` };

  const value = normalized.value;
  const moved = await advanceWatermark(
    deps.store,
    { table: settled.table, column: watermark.column, type: watermark.type, value, run_id: settled.run_id },
    deps.now,
  );
  if (moved) return { ...fields, watermark_to: value };
  // Already at or past it: equal is no news (nothing new, or a repeated invocation); behind is never stored.
  const stored = await storedValue(deps.store, settled.table);
  if (stored === undefined || compareWatermarks(watermark.type, value, stored) === 0)
    return { ...fields, watermark_to: value };
  return {
    ...fields,
    watermark_warning: `watermark not moved: the reported ${value} is behind the stored ${stored}, and a watermark never goes back`,
  };
}
