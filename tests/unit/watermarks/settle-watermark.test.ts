// What the status handler decides for a watermark table, against the real tracking table (dynalite): the record's
// fields first, the move only once the table is recorded SUCCEEDED.
import type { S3Client } from '@aws-sdk/client-s3';
import { moveWatermark, settleWatermark } from '../../../functions/lib/watermarks/settle-watermark';
import { advanceWatermark, readWatermarks } from '../../../functions/lib/watermarks/watermark-store';
import { freshTrackingTablePerTest } from '../../helpers/fresh-tracking-table';

jest.setTimeout(30_000);

const trackingTable = freshTrackingTablePerTest();
const NOW = new Date('2024-06-01T00:00:00Z');
// Runner tables report through the protocol: no S3 is ever asked for.
const noS3 = () => Promise.reject(new Error('no report to read')) as Promise<S3Client>;

const runnerTable = (status: string, reported: unknown) => ({
  table: 'onprem.orders',
  run_id: 'run-2',
  watermark: { column: 'order_id', type: 'integer' as const, from: '100' },
  status,
  reported_by_runner: reported,
});

describe('settling a watermark', () => {
  it('moves the watermark only once the table is recorded SUCCEEDED', async () => {
    // Prepare
    const store = trackingTable();
    const settled = await settleWatermark(runnerTable('SUCCEEDED', '0200'), { s3: noS3, store });

    // Act
    const movedWhenFailed = await moveWatermark(store, settled, 'FAILED', NOW);
    const movedWhenSucceeded = await moveWatermark(store, settled, 'SUCCEEDED', NOW);

    // Assess
    expect(settled.fields).toEqual({ watermark_from: '100', watermark_to: '200' });
    expect([movedWhenFailed, movedWhenSucceeded]).toEqual([false, true]);
    expect((await readWatermarks(store, ['onprem.orders'])).get('onprem.orders')!.value).toBe('200');
  });

  it('keeps the watermark of a failed table and reads no report for it', async () => {
    const store = trackingTable();

    const settled = await settleWatermark(runnerTable('FAILED', '200'), { s3: noS3, store });

    expect(settled).toEqual({ fields: { watermark_from: '100' } });
  });

  it('replaces a lower value only when it was kept for another column', async () => {
    // Prepare
    const store = trackingTable();
    await advanceWatermark(
      store,
      { table: 'onprem.orders', column: 'legacy_id', type: 'integer', value: '5000', run_id: 'run-1' },
      NOW,
    );

    // Act
    const settled = await settleWatermark(runnerTable('SUCCEEDED', 7), { s3: noS3, store });
    await moveWatermark(store, settled, 'SUCCEEDED', NOW);

    // Assess
    expect(settled.fields.watermark_to).toBe('7');
    expect((await readWatermarks(store, ['onprem.orders'])).get('onprem.orders')).toMatchObject({
      column: 'order_id',
      value: '7',
    });
  });
});
