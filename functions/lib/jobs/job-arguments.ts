// The arguments every extract job receives, whatever runs it. Launchers shape them for their service
// (Glue `--key` arguments, EMR entry-point arguments, container environment), so one table's arguments
// are the same on every job type.
import type { TableConfig } from '../config/extract-config';
import { watermarkArguments, type RunWatermarks, type TableWatermark } from '../watermarks/table-watermark';

export interface RunContext {
  run_id: string;
  /** Set by the config manager; absent where no run is recorded (npm run validate). */
  watermarks?: RunWatermarks;
}

/** Ordered `--key: value` pairs; common keys first, then the table's own arguments. */
export type JobArguments = Record<string, string>;

export function buildJobArguments(
  table: TableConfig,
  run: RunContext,
  watermark?: TableWatermark,
): JobArguments {
  const args: JobArguments = {
    '--table': table.name,
    '--job_type': table.job_type,
    '--run_id': run.run_id,
  };
  if (table.source_type) args['--source_type'] = table.source_type;
  if (table.source_secret_arn) args['--source_secret_arn'] = table.source_secret_arn;
  if (table.target_path) args['--target_path'] = table.target_path;
  if (watermark) Object.assign(args, watermarkArguments(watermark));
  for (const [key, value] of Object.entries(table.arguments ?? {})) {
    // The schema rejects reserved keys; this keeps the identity of the run and the table safe regardless.
    if (!(`--${key}` in args)) args[`--${key}`] = value;
  }
  return args;
}
