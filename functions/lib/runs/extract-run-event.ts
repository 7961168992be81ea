// The state machine's input: what `sls invoke stepf --data`, the S3 upload trigger and the local runner send.
// Unknown keys are rejected so that a typo such as `table_to_extract` fails loudly instead of extracting
// every table in the config.
import * as z from 'zod/mini';
import '../zod-english';
import { InvalidEventError } from '../errors';
import { TABLE_NAME_PATTERN } from '../config/extract-config';
import { formatIssues } from '../format-issues';
import { RUN_ID_PATTERN } from './run-id';

const eventSchema = z.strictObject({
  tables_to_extract: z.optional(
    z
      .array(z.string().check(z.regex(TABLE_NAME_PATTERN, 'must be 1-255 letters, digits, _ . $ or -')))
      .check(z.minLength(1, 'must name at least one table (omit it to extract every table in the config)')),
  ),
  run_id: z.optional(z.string().check(z.regex(RUN_ID_PATTERN, 'must be 1-80 letters, digits, _ . : or -'))),
  config_key: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  config_version: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  trigger: z._default(z.enum(['manual', 's3', 'schedule', 'local']), 'manual'),
  /** Watermark tables start from nothing: no last_watermark argument (docs/incremental-extracts.md). */
  full_refresh: z.optional(z.boolean()),
  rerun_of: z.optional(
    z.string().check(z.regex(RUN_ID_PATTERN, 'must be a run id: 1-80 letters, digits, _ . : or -')),
  ),
  include_skipped: z.optional(z.boolean()),
  only_failed: z.optional(z.boolean()),
});

export type ExtractRunEvent = z.output<typeof eventSchema>;

/** A re-run takes its tables from the run it re-runs, so a table list beside it would be ambiguous. */
function rerunFieldsProblem(event: ExtractRunEvent): string | undefined {
  if (event.rerun_of !== undefined && event.tables_to_extract !== undefined)
    return 'rerun_of and tables_to_extract: give one or the other (a re-run takes its tables from the run it re-runs)';
  if (event.rerun_of === undefined) {
    const stray = (['include_skipped', 'only_failed'] as const).find((field) => event[field] !== undefined);
    if (stray) return `${stray}: only applies with rerun_of`;
  }
  return undefined;
}

export function parseExtractRunEvent(input: unknown, maxTables: number): ExtractRunEvent {
  const parsed = eventSchema.safeParse(input ?? {});
  if (!parsed.success) throw new InvalidEventError(`Invalid event: ${formatIssues(parsed.error, '')}`);
  const rerunProblem = rerunFieldsProblem(parsed.data);
  if (rerunProblem) throw new InvalidEventError(`Invalid event: ${rerunProblem}`);
  const count = parsed.data.tables_to_extract?.length ?? 0;
  if (count > maxTables) {
    throw new InvalidEventError(
      `Invalid event: tables_to_extract: lists ${count} tables, more than this stage's limit of ${maxTables} per run (split the run)`,
    );
  }
  return parsed.data;
}
