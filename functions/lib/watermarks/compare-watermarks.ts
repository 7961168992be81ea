// The order "never backwards" means, for values already normalized (normalize-watermark.ts). The tracking table's
// conditional write is the guard; this is the same order in code, for the table record's note and for tests.
import type { WatermarkType } from './watermark-kinds';

/** Negative when a is before b, 0 when equal, positive when after. */
export function compareWatermarks(type: WatermarkType, a: string, b: string): number {
  if (type === 'integer') {
    const difference = BigInt(a) - BigInt(b);
    return difference === 0n ? 0 : difference < 0n ? -1 : 1;
  }
  // Normalized timestamps are fixed-width UTC text, so byte order is time order; strings compare by UTF-8 bytes
  // as DynamoDB compares S values (JavaScript's < compares UTF-16 units, which differs past U+FFFF).
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
