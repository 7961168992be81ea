// How a table's argument keys travel: the config schema refuses keys the pipeline sets itself and keys that would
// collide once turned into environment variable names; the launchers use the same names when they build requests.

/** Set by the pipeline from the table's own fields; a table's `arguments` may not redefine them. */
export const RESERVED_ARGUMENT_KEYS = [
  'table',
  'job_type',
  'run_id',
  'source_type',
  'source_secret_arn',
  'target_path',
  // Incremental extracts (functions/lib/watermarks/): the pipeline's, so a table cannot fake its last watermark.
  'watermark_column',
  'watermark_type',
  'last_watermark',
  'watermark_report_uri',
  // Set by extract-runner for the command (EXTRACT_WATERMARK_FILE), never by a table.
  'watermark_file',
];

/** `--source_type` → `EXTRACT_SOURCE_TYPE`: the form a container or shell expects. */
export function toEnvironmentName(argumentKey: string): string {
  return `EXTRACT_${argumentKey
    .replace(/^-+/, '')
    .replace(/[^A-Za-z0-9]/g, '_')
    .toUpperCase()}`;
}
