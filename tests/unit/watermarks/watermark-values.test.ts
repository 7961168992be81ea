// How reported watermarks are normalized and ordered: "never backwards" must be a real comparison per type.
import { compareWatermarks } from '../../../functions/lib/watermarks/compare-watermarks';
import { normalizeWatermark } from '../../../functions/lib/watermarks/normalize-watermark';

describe('watermark values', () => {
  it.each([
    ['2024-06-01T10:00:00Z', '2024-06-01T10:00:00.000000Z'],
    ['2024-06-01T12:00:00+02:00', '2024-06-01T10:00:00.000000Z'],
    ['2024-06-01 12:00:00.5-0130', '2024-06-01T13:30:00.500000Z'],
    ['2024-06-01 10:00:00.123456789', '2024-06-01T10:00:00.123456Z'],
    ['2024-06-01', '2024-06-01T00:00:00.000000Z'],
    ['2024-06-01T10:00', '2024-06-01T10:00:00.000000Z'],
  ])('stores the timestamp %s as UTC with microseconds (%s)', (reported, stored) => {
    expect(normalizeWatermark('timestamp', reported)).toEqual({ value: stored });
  });

  it.each([
    ['yesterday', "'yesterday' is not an ISO-8601 timestamp (2024-06-01T12:00:00Z)"],
    ['2024-13-01T00:00:00Z', "'2024-13-01T00:00:00Z' is not a valid date and time"],
    [1717236000, "'1717236000' is not an ISO-8601 timestamp (2024-06-01T12:00:00Z)"],
  ])('refuses the timestamp %s, saying why', (reported, problem) => {
    expect(normalizeWatermark('timestamp', reported)).toEqual({ problem });
  });

  it('stores integers in canonical form, from text or a JSON number, up to 38 digits', () => {
    expect(normalizeWatermark('integer', '0042')).toEqual({ value: '42' });
    expect(normalizeWatermark('integer', 42)).toEqual({ value: '42' });
    expect(normalizeWatermark('integer', '-0')).toEqual({ value: '0' });
    expect(normalizeWatermark('integer', '9'.repeat(38))).toEqual({ value: '9'.repeat(38) });
    expect(normalizeWatermark('integer', '9'.repeat(39))).toEqual({
      problem: `'${'9'.repeat(39)}' is not an integer of at most 38 digits`,
    });
    expect(normalizeWatermark('integer', 4.5)).toEqual({
      problem: 'the reported watermark must be a string or an integer',
    });
  });

  it('refuses a missing, empty or oversized report', () => {
    expect(normalizeWatermark('string', undefined)).toEqual({ problem: 'no watermark reported' });
    expect(normalizeWatermark('string', '  ')).toEqual({ problem: 'no watermark reported' });
    expect(normalizeWatermark('string', 'x'.repeat(257))).toEqual({
      problem: 'the reported watermark is longer than 256 characters',
    });
  });

  it('orders integers as numbers, not as text', () => {
    expect(compareWatermarks('integer', '10', '9')).toBeGreaterThan(0);
    expect(compareWatermarks('integer', '-5', '3')).toBeLessThan(0);
    expect(compareWatermarks('integer', '9'.repeat(38), `${'9'.repeat(37)}8`)).toBeGreaterThan(0);
    expect(compareWatermarks('integer', '7', '7')).toBe(0);
  });

  it('orders normalized timestamps by time, whatever zone they were reported in', () => {
    const earlier = normalizeWatermark('timestamp', '2024-06-01T23:30:00-01:00') as { value: string };
    const later = normalizeWatermark('timestamp', '2024-06-02T01:00:00+00:00') as { value: string };
    expect(compareWatermarks('timestamp', later.value, earlier.value)).toBeGreaterThan(0);
  });

  it('orders strings by UTF-8 bytes, as DynamoDB compares them', () => {
    // U+FF5E sorts before U+1F600 in UTF-8 but after its surrogate pair in UTF-16.
    expect(compareWatermarks('string', '\u{1F600}', '\uFF5E')).toBeGreaterThan(0);
    expect(compareWatermarks('string', 'b-0010', 'b-0009')).toBeGreaterThan(0);
  });
});
