// A reported watermark in the one form the tracking table stores and compares: timestamps as UTC ISO-8601 with six
// fraction digits (fixed width, so string order is time order; microseconds because PostgreSQL and most warehouses
// keep them), integers as canonical decimal text (stored as a DynamoDB number), strings as given.
import { MAX_WATERMARK_LENGTH, type WatermarkType } from './watermark-kinds';

export type NormalizedWatermark = { value: string } | { problem: string };

// Date, optional time with optional fraction, optional zone. A value without a zone is read as UTC: the job's
// database session decides what it meant, and UTC is the only reading that does not depend on this machine.
const TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const INTEGER = /^[+-]?\d{1,38}$/;

function normalizeTimestamp(text: string): NormalizedWatermark {
  const match = TIMESTAMP.exec(text);
  if (!match) return { problem: `'${text}' is not an ISO-8601 timestamp (2024-06-01T12:00:00Z)` };
  const [, date, hoursMinutes = '00:00', seconds = '00', fraction = '', zone = 'Z'] = match;
  const offset = /^[+-]\d{2}$/.test(zone) ? `${zone}:00` : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const instant = Date.parse(`${date}T${hoursMinutes}:${seconds}${offset.toUpperCase()}`);
  if (Number.isNaN(instant)) return { problem: `'${text}' is not a valid date and time` };
  const [year] = new Date(instant).toISOString().split('-');
  if (!/^\d{4}$/.test(year!)) return { problem: `'${text}' is outside the years 0000-9999` };
  // Digits past the microsecond are cut: the next run then reads from a moment at or before the true mark.
  const micros = fraction.padEnd(6, '0').slice(0, 6);
  return { value: new Date(instant).toISOString().replace(/\.\d{3}Z$/, `.${micros}Z`) };
}

function normalizeInteger(text: string): NormalizedWatermark {
  if (!INTEGER.test(text)) return { problem: `'${text}' is not an integer of at most 38 digits` };
  return { value: BigInt(text).toString() };
}

/** The watermark a job reported, in its stored form, or why it cannot be used. */
export function normalizeWatermark(type: WatermarkType, reported: unknown): NormalizedWatermark {
  if (reported === undefined || reported === null || reported === '')
    return { problem: 'no watermark reported' };
  let text: string;
  if (typeof reported === 'string') text = reported.trim();
  else if (typeof reported === 'number' && Number.isSafeInteger(reported)) text = String(reported);
  else
    return {
      problem: `the reported watermark must be a string${type === 'integer' ? ' or an integer' : ''}`,
    };
  if (text.length > MAX_WATERMARK_LENGTH)
    return { problem: `the reported watermark is longer than ${MAX_WATERMARK_LENGTH} characters` };
  if (type === 'timestamp') return normalizeTimestamp(text);
  if (type === 'integer') return normalizeInteger(text);
  return text ? { value: text } : { problem: 'no watermark reported' };
}
