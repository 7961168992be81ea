// The watermark items against a real DynamoDB emulator (dynalite), the tracking table created from
// resources/tracking-table.yml: "only forward" is a DynamoDB condition, so it is checked against a DynamoDB.
import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import {
  advanceWatermark,
  readWatermarks,
  type WatermarkAdvance,
  type WatermarkStore,
} from '../../../functions/lib/watermarks/watermark-store';
import { freshTrackingTablePerTest } from '../../helpers/fresh-tracking-table';

jest.setTimeout(30_000);

const trackingTable = freshTrackingTablePerTest();
let store: WatermarkStore;
const NOW = new Date('2024-06-01T00:00:00Z');

beforeEach(() => {
  store = trackingTable();
});

const integer = (table: string, value: string): WatermarkAdvance => ({
  table,
  column: 'id',
  type: 'integer',
  value,
  run_id: `run-${value}`,
});

describe('watermark store', () => {
  it('moves an integer watermark forward by number, never back, and repeats harmlessly', async () => {
    expect(await advanceWatermark(store, integer('t', '9'), NOW)).toBe(true);
    expect(await advanceWatermark(store, integer('t', '10'), NOW)).toBe(true);
    expect(await advanceWatermark(store, integer('t', '9'), NOW)).toBe(false);
    expect(await advanceWatermark(store, integer('t', '10'), NOW)).toBe(false);
    // Past 2^53, still compared as numbers (a JavaScript number would make these two equal).
    expect(await advanceWatermark(store, integer('t', '90000000000000000000000000000000000001'), NOW)).toBe(
      true,
    );
    expect(await advanceWatermark(store, integer('t', '90000000000000000000000000000000000000'), NOW)).toBe(
      false,
    );

    expect((await readWatermarks(store, ['t'])).get('t')).toEqual({
      table: 't',
      column: 'id',
      type: 'integer',
      value: '90000000000000000000000000000000000001',
      run_id: 'run-90000000000000000000000000000000000001',
      updated_at: NOW.toISOString(),
    });
  });

  it('replaces a watermark kept for another column or type, whatever its value', async () => {
    await advanceWatermark(store, integer('t', '500'), NOW);

    expect(await advanceWatermark(store, { ...integer('t', '5'), column: 'other_id' }, NOW)).toBe(true);
    expect(
      await advanceWatermark(
        store,
        { table: 't', column: 'other_id', type: 'string', value: 'a', run_id: 'r' },
        NOW,
      ),
    ).toBe(true);
    expect((await readWatermarks(store, ['t'])).get('t')).toMatchObject({ type: 'string', value: 'a' });
  });

  it('reads the watermarks of many tables in batches of 100, asking again for the keys left unprocessed', async () => {
    // Prepare: every third of 250 tables has a watermark; DynamoDB leaves half of each first batch unprocessed.
    const tables = Array.from({ length: 250 }, (_, i) => `t${i}`);
    for (const table of tables.filter((_, i) => i % 3 === 0))
      await advanceWatermark(store, integer(table, '1'), NOW);
    const batchSizes: number[] = [];
    const send = store.db.send.bind(store.db) as (command: BatchGetCommand) => Promise<BatchGetCommandOutput>;
    let unprocessedGiven = 0;
    const flaky: WatermarkStore = {
      tableName: store.tableName,
      db: {
        send: async (command: BatchGetCommand) => {
          const keys = command.input.RequestItems![store.tableName]!.Keys!;
          batchSizes.push(keys.length);
          if (keys.length < 100 || unprocessedGiven >= 2) return send(command);
          unprocessedGiven++;
          const half = keys.slice(50);
          const request = { ...command.input.RequestItems![store.tableName]!, Keys: keys.slice(0, 50) };
          const answered = await send(new BatchGetCommand({ RequestItems: { [store.tableName]: request } }));
          return { ...answered, UnprocessedKeys: { [store.tableName]: { ...request, Keys: half } } };
        },
      } as unknown as WatermarkStore['db'],
    };

    // Act
    const found = await readWatermarks(flaky, tables);

    // Assess
    expect([...found.keys()].sort()).toEqual(tables.filter((_, i) => i % 3 === 0).sort());
    // 100, 100 and the last 50, then the two halves left unprocessed, asked again.
    expect(batchSizes.sort((a, b) => a - b)).toEqual([50, 50, 50, 100, 100]);
  });
});
