// The config manager's part: the stored watermarks of the watermark tables a run extracts, read before their jobs
// are built so each job receives its last watermark. A full refresh reads none, so every job starts from nothing.
import type { TableConfig } from '../config/extract-config';
import { watermarkReportPrefix, watermarkTablesOf, type RunWatermarks } from './table-watermark';
import { readWatermarks, type StoredWatermark, type WatermarkStore } from './watermark-store';

export interface RunWatermarkRequest {
  run_id: string;
  tables: readonly TableConfig[];
  /** The event's tables_to_extract; every enabled table when absent. */
  requested?: readonly string[];
  full_refresh?: boolean;
  /** The config bucket and the run items prefix: the reports go next to the run's items. */
  bucket: string;
  runItemsPrefix: string;
}

export async function loadRunWatermarks(
  store: WatermarkStore,
  request: RunWatermarkRequest,
): Promise<RunWatermarks> {
  const tables = request.full_refresh ? [] : watermarkTablesOf(request.tables, request.requested);
  const last: ReadonlyMap<string, StoredWatermark> =
    tables.length > 0 ? await readWatermarks(store, tables) : new Map();
  return {
    last,
    reports: {
      bucket: request.bucket,
      prefix: watermarkReportPrefix(request.runItemsPrefix, request.run_id),
    },
  };
}
