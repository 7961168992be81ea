// What a table's watermark may be, shared by the config schema, the job arguments and the tracking table. A leaf
// (it imports nothing) so that the config schema can read it without the rest of the watermark code.

/**
 * How watermark values are ordered, so that "never backwards" is a real comparison: timestamps as instants (UTC),
 * integers as numbers (`10` after `9`), strings byte by byte in UTF-8, as DynamoDB compares them.
 */
export const WATERMARK_TYPES = ['timestamp', 'integer', 'string'] as const;
export type WatermarkType = (typeof WATERMARK_TYPES)[number];
export const DEFAULT_WATERMARK_TYPE: WatermarkType = 'timestamp';

/**
 * A plain column name: it reaches SQL in the job's own code, so nothing that could quote, comment or chain.
 * 128 characters is the longest identifier Oracle, SQL Server and Snowflake allow (PostgreSQL: 63, MySQL: 64).
 */
export const WATERMARK_COLUMN_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
export const WATERMARK_COLUMN_MESSAGE =
  'must be a column name: a letter or _, then up to 127 letters, digits or _';

/** A reported watermark longer than this is refused: a value, not a payload (the table record keeps it). */
export const MAX_WATERMARK_LENGTH = 256;
