// The status handler's part: what a watermark table's job reported, and whether its watermark may move to it. A
// success whose report is missing or unusable stays a success (the data landed), but the watermark stays where it
// was and the record carries a warning: the next run reads again from the old mark, which repeats rows rather than
// losing any. The move itself (moveWatermark) comes after the table is recorded SUCCEEDED, so a watermark can lag
// its table's record, never lead it.
import type { S3Client } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { compareWatermarks } from './compare-watermarks';
import { normalizeWatermark } from './normalize-watermark';
import type { TableWatermark } from './table-watermark';
import {
  advanceWatermark,
  watermarkKey,
  type WatermarkAdvance,
  type WatermarkStore,
} from './watermark-store';

export interface WatermarkFields {
  watermark_from?: string;
  watermark_to?: string;
  watermark_warning?: string;
}

export interface SettledWatermark {
  fields: WatermarkFields;
  /** Where the table's watermark moves once the table is recorded SUCCEEDED. */
  advance?: WatermarkAdvance;
}

export interface SettleDeps {
  /** Asked for only when a report is to be read. */
  s3: () => Promise<S3Client>;
  store: WatermarkStore;
}

export interface SettledTable {
  table: string;
  run_id: string;
  watermark?: TableWatermark;
  status: string;
  /** A runner's report, from its ReportTaskProgress fields (Glue, EMR and ECS report to S3). */
  reported_by_runner?: unknown;
}

async function storedWatermark(
  store: WatermarkStore,
  table: string,
): Promise<{ column: string; type: string; value: string } | undefined> {
  const { Item } = await store.db.send(
    new GetCommand({
      TableName: store.tableName,
      Key: watermarkKey(table),
      ConsistentRead: true,
      ProjectionExpression: '#column, #type, #value',
      ExpressionAttributeNames: { '#column': 'column', '#type': 'type', '#value': 'value' },
    }),
  );
  return Item as { column: string; type: string; value: string } | undefined;
}

/** The table record's watermark fields, and the move to make once the table is recorded SUCCEEDED. */
export async function settleWatermark(settled: SettledTable, deps: SettleDeps): Promise<SettledWatermark> {
  const { watermark } = settled;
  if (!watermark) return { fields: {} };
  const fields: WatermarkFields = watermark.from !== undefined ? { watermark_from: watermark.from } : {};
  if (settled.status !== 'SUCCEEDED') return { fields };

  // Loaded on first use, with the S3 client: most tables of most runs read no report (see the status handler).
  const report = watermark.report
    ? await (await import('./watermark-report')).readWatermarkReport(await deps.s3(), watermark.report)
    : { reported: settled.reported_by_runner };
  if ('problem' in report)
    return { fields: { ...fields, watermark_warning: `watermark not moved: ${report.problem}` } };
  const normalized = normalizeWatermark(watermark.type, report.reported);
  if ('problem' in normalized)
    return { fields: { ...fields, watermark_warning: `watermark not moved: ${normalized.problem}` } };

  const value = normalized.value;
  const stored = await storedWatermark(deps.store, settled.table);
  // A value kept for another column or type is replaced whatever it is; one of this column never goes back.
  if (
    stored?.column === watermark.column &&
    stored.type === watermark.type &&
    compareWatermarks(watermark.type, value, stored.value) < 0
  ) {
    return {
      fields: {
        ...fields,
        watermark_warning: `watermark not moved: the reported ${value} is behind the stored ${stored.value}, and a watermark never goes back`,
      },
    };
  }
  return {
    fields: { ...fields, watermark_to: value },
    advance: {
      table: settled.table,
      column: watermark.column,
      type: watermark.type,
      value,
      run_id: settled.run_id,
    },
  };
}

/**
 * Moves the watermark once its table is recorded SUCCEEDED (by this invocation or an earlier one of the same
 * outcome). The conditional write still refuses to go back; false when it did not move (already there).
 */
export async function moveWatermark(
  store: WatermarkStore,
  settled: SettledWatermark,
  recordedStatus: string,
  now: Date,
): Promise<boolean> {
  if (!settled.advance || recordedStatus !== 'SUCCEEDED') return false;
  return advanceWatermark(store, settled.advance, now);
}
