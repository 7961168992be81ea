// The state machine's input: what `sls invoke stepf --data`, the S3 upload trigger and the local runner send.
// Unknown keys are rejected so that a typo such as `table_to_extract` fails loudly instead of extracting
// every table in the config.
import * as z from 'zod';
import { InvalidEventError } from '../errors';
import { TABLE_NAME_PATTERN } from '../config/extract-config';
import { formatIssues } from '../format-issues';
import { RUN_ID_PATTERN } from './run-id';

const eventSchema = z.strictObject({
  tables_to_extract: z
    .array(z.string().regex(TABLE_NAME_PATTERN, 'must be 1-255 letters, digits, _ . $ or -'))
    .min(1, 'must name at least one table (omit it to extract every table in the config)')
    .optional(),
  run_id: z.string().regex(RUN_ID_PATTERN, 'must be 1-80 letters, digits, _ . : or -').optional(),
  config_key: z.string().min(1).max(1024).optional(),
  config_version: z.string().min(1).max(1024).optional(),
  trigger: z.enum(['manual', 's3', 'schedule', 'local']).default('manual'),
  /** Watermark tables start from nothing: no last_watermark argument (docs/incremental-extracts.md). */
  full_refresh: z.boolean().optional(),
});

export type ExtractRunEvent = z.output<typeof eventSchema>;

export function parseExtractRunEvent(input: unknown, maxTables: number): ExtractRunEvent {
  const parsed = eventSchema.safeParse(input ?? {});
  if (!parsed.success) throw new InvalidEventError(`Invalid event: ${formatIssues(parsed.error, '')}`);
  const count = parsed.data.tables_to_extract?.length ?? 0;
  if (count > maxTables) {
    throw new InvalidEventError(
      `Invalid event: tables_to_extract: lists ${count} tables, more than this stage's limit of ${maxTables} per run (split the run)`,
    );
  }
  return parsed.data;
}
